import { Client } from 'pg';
import { dropDatabaseRoles } from './database-roles';

const SAFE_DB_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Creates the database named in the URL when it does not exist yet (connecting to `postgres`). */
export async function ensureDatabase(url: string): Promise<{ created: boolean; name: string }> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  if (!SAFE_DB_NAME.test(name)) throw new Error(`database name ${JSON.stringify(name)} must match ${SAFE_DB_NAME}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return { created: false, name };
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P04') throw err; // created meanwhile by another process
      return { created: false, name };
    }
    return { created: true, name };
  } finally {
    await client.end();
  }
}

/** Drops the database and the roles Credence created for it (roles outlive a database otherwise). */
export async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!SAFE_DB_NAME.test(name)) throw new Error(`refusing to drop ${JSON.stringify(name)}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await dropDatabaseRoles(client, name);
  } finally {
    await client.end();
  }
}

/** True when something accepts a Postgres connection at the URL's server. */
export async function postgresAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
