import { Logger, Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import cluster from 'node:cluster';
import { pino } from 'pino';
import { AppConfig, ConfigError, DEFAULT_DATABASE_URL, Environment, LoadedConfig, loadConfig, readEnvironment } from '@credence/config';
import { ensureDatabase, postgresAnswers, startEmbeddedPostgres } from '@credence/database';
import { redisAnswers } from '@credence/redis';
import { runClusterPrimary } from './cluster/cluster-primary';
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

/** What a process needs before it builds an app: valid config, a Postgres (found or embedded) with the database, a Redis. */
async function prepare(env: Environment, loaded: LoadedConfig = loadConfig(env)): Promise<LoadedConfig> {
  const { config, notices } = loaded;
  await resolveDatabase(config, Boolean(env.DATABASE_URL), notices);
  if (!(await redisAnswers(config.REDIS_URL))) {
    throw new StartupError(`Redis does not answer at ${redact(config.REDIS_URL)}. Start one (for example: redis-server --daemonize yes --port 6379) or set REDIS_URL.`);
  }
  return { config, notices };
}

/** Starts an app (or the whole platform) the way `node dist/apps/<app>/src/main.js` does, in this process. */
export async function startApp(appName: string, features: Type[], env: Environment = readEnvironment(), loaded?: LoadedConfig): Promise<NestFastifyApplication> {
  const { config, notices } = await prepare(env, loaded);
  const app = await createApp(config, appName, features);
  // A clean shutdown waits for Postgres and Redis; if one of them is gone, do not hang past the orchestrator's patience.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), 10_000).unref());
  }
  await app.listen(config.PORT, config.HOST);
  const logger = new Logger('Startup');
  // A cluster's primary has told the operator already.
  if (cluster.isPrimary) for (const notice of notices) logger.log(notice);
  const worker = cluster.isWorker ? ` (worker ${cluster.worker?.id})` : '';
  logger.log(`Credence ${appName} listening on ${config.CREDENCE_BASE_URL}${worker} (API reference at /docs)`);
  return app;
}

/**
 * With CREDENCE_WORKERS above 1 this process becomes the cluster's primary: it does what must
 * happen once (config, development secrets, the embedded Postgres, the database) and then forks
 * the workers, each of which runs the app on the same port. Resolves with the primary's exit code.
 */
async function startPrimary(appName: string, env: Environment, loaded: LoadedConfig): Promise<number> {
  const { config, notices } = await prepare(env, loaded);
  const workers = config.CREDENCE_WORKERS;
  const log = pino({ level: config.LOG_LEVEL, base: { pid: process.pid, context: 'Cluster' } });
  for (const notice of notices) log.info(notice);
  log.info(`Credence ${appName}: starting ${workers} worker processes on port ${config.PORT}`);
  // Workers reuse what the primary resolved (an embedded Postgres's URL) instead of resolving again.
  return runClusterPrimary({ workers, env: { ...env, DATABASE_URL: config.DATABASE_URL }, log });
}

function reportFailure(appName: string, err: unknown): never {
  if (err instanceof ConfigError || err instanceof StartupError) {
    process.stderr.write(`credence ${appName} cannot start. ${err.message}\n`);
  } else {
    process.stderr.write(`credence ${appName} failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exit(1);
}

/** For mains: start (one process, or a primary and CREDENCE_WORKERS workers), or print one clear message and exit non-zero. */
export function runMain(appName: string, features: Type[]): void {
  const env = readEnvironment();
  let loaded: LoadedConfig | undefined;
  if (cluster.isPrimary) {
    try {
      loaded = loadConfig(env);
    } catch (err) {
      reportFailure(appName, err);
    }
  }
  if (loaded && loaded.config.CREDENCE_WORKERS > 1) {
    startPrimary(appName, env, loaded).then(
      (code) => process.exit(code),
      (err: unknown) => reportFailure(appName, err),
    );
    return;
  }
  startApp(appName, features, env, loaded).catch((err: unknown) => reportFailure(appName, err));
}
