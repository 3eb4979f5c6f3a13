import { Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppConfig, ConfigError, DEFAULT_DATABASE_URL, Environment, loadConfig, readEnvironment } from '@credence/config';
import { ensureDatabase, postgresAnswers, startEmbeddedPostgres } from '@credence/database';
import { redisAnswers } from '@credence/redis';
import { createApp } from './create-app';

export class StartupError extends Error {}

/** Finds a Postgres: the configured one, else localhost:5432, else an embedded one in the data folder. */
async function resolveDatabase(config: AppConfig, configured: boolean, notices: string[]): Promise<void> {
  if (!configured && !(await postgresAnswers(DEFAULT_DATABASE_URL))) {
    notices.push(`No Postgres answers at localhost:5432 and DATABASE_URL is not set: starting an embedded Postgres with data in ${config.CREDENCE_DATA_DIR}/postgres`);
    config.DATABASE_URL = (await startEmbeddedPostgres(config.CREDENCE_DATA_DIR)).url;
  }
  try {
    const { created, name } = await ensureDatabase(config.DATABASE_URL);
    if (created) notices.push(`Created database ${name}`);
  } catch (err) {
    throw new StartupError(`Cannot reach Postgres at ${redact(config.DATABASE_URL)}: ${(err as Error).message}. Set DATABASE_URL to a server you can reach.`);
  }
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** Starts an app (or the whole platform) the way `node dist/apps/<app>/src/main.js` does. */
export async function startApp(appName: string, features: Type[], env: Environment = readEnvironment()): Promise<NestFastifyApplication> {
  const { config, notices } = loadConfig(env);
  await resolveDatabase(config, Boolean(env.DATABASE_URL), notices);
  if (!(await redisAnswers(config.REDIS_URL))) {
    throw new StartupError(`Redis does not answer at ${redact(config.REDIS_URL)}. Start one (for example: redis-server --daemonize yes --port 6379) or set REDIS_URL.`);
  }
  const app = await createApp(config, appName, features);
  // A clean shutdown waits for Postgres and Redis; if one of them is gone, do not hang past the orchestrator's patience.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), 10_000).unref());
  }
  await app.listen(config.PORT, config.HOST);
  const logger = app.get(Logger);
  for (const notice of notices) logger.log(notice, 'Startup');
  logger.log(`Credence ${appName} listening on ${config.CREDENCE_BASE_URL} (API reference at /docs)`, 'Startup');
  return app;
}

/** For mains: start, or print one clear message and exit non-zero. */
export function runMain(appName: string, features: Type[]): void {
  startApp(appName, features).catch((err: unknown) => {
    if (err instanceof ConfigError || err instanceof StartupError) {
      process.stderr.write(`credence ${appName} cannot start. ${err.message}\n`);
    } else {
      process.stderr.write(`credence ${appName} failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    }
    process.exit(1);
  });
}
