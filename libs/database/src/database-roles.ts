import { createHash } from 'node:crypto';
import { Client } from 'pg';

/**
 * Roles are cluster-wide, databases are not: two databases on one server (every test run makes
 * its own) must never share or drop each other's roles. So every role Credence creates for a
 * database ends in that database's tag, the first 8 hex digits of md5(database name); SQL computes
 * the same with `left(md5(current_database()), 8)`. Tenant roles are `t_<32 hex>_<tag>`
 * (libs/tenancy/src/roles), their group `credence_tenants_<tag>`, spare schemas' roles `spare_<32 hex>_<tag>`.
 */
export function databaseRoleTag(databaseName: string): string {
  return createHash('md5').update(databaseName, 'utf8').digest('hex').slice(0, 8);
}

const TAG = /^[0-9a-f]{8}$/;

/** The names of every role Credence creates for the database with this tag, and nothing else. */
export function databaseRolePattern(tag: string): RegExp {
  if (!TAG.test(tag)) throw new Error(`refusing role tag ${JSON.stringify(tag)}`);
  return new RegExp(`^(t_[0-9a-f]{32}|spare_[0-9a-f]{32}|credence_tenants)_${tag}$`);
}

/**
 * Drops the roles of a database that no longer exists (`dropDatabase` calls it). A role that still
 * holds privileges somewhere else (which only a tag collision could cause) is left alone.
 */
export async function dropDatabaseRoles(client: Client, databaseName: string): Promise<string[]> {
  const pattern = databaseRolePattern(databaseRoleTag(databaseName));
  const { rows } = await client.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname ~ $1 ORDER BY rolname', [pattern.source]);
  const dropped: string[] = [];
  for (const { rolname } of rows) {
    if (!pattern.test(rolname)) continue;
    try {
      await client.query(`DROP ROLE IF EXISTS "${rolname}"`);
      dropped.push(rolname);
    } catch (err) {
      if ((err as { code?: string }).code !== '2BP01') throw err; // dependent objects still exist elsewhere
    }
  }
  return dropped;
}
