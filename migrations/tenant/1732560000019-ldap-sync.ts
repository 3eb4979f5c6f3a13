import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * LDAP directory sync (libs/sync/src/ldap-sync): each LDAP connection's schedule and high-water mark
 * (`ldap_sync`), and on a run the ids it has applied so far (`sync_runs.done_external_ids`, so a
 * killed worker's retry skips them) and its progress for GET /sync/runs. At most one started run per
 * LDAP source: a second POST .../connections/{id}/sync is a 409, decided by the index, not a race.
 */
export class LdapSync1732560000019 implements MigrationInterface {
  name = 'LdapSync1732560000019';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_runs ADD COLUMN done_external_ids text[] NOT NULL DEFAULT '{}', ADD COLUMN progress jsonb`);
    await q.query(
      `CREATE UNIQUE INDEX sync_runs_one_ldap_run ON sync_runs (source) WHERE status = 'started' AND source ~ '^ldap-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'`,
    );
    await q.query(`
      CREATE TABLE ldap_sync (
        connection_id uuid PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
        enabled boolean NOT NULL DEFAULT false,
        interval_minutes integer NOT NULL DEFAULT 60 CHECK (interval_minutes BETWEEN 5 AND 10080),
        full_every_hours integer NOT NULL DEFAULT 24 CHECK (full_every_hours BETWEEN 1 AND 8760),
        high_water jsonb,
        last_full_at timestamptz,
        last_run_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ldap_sync');
    await q.query('DROP INDEX sync_runs_one_ldap_run');
    await q.query('ALTER TABLE sync_runs DROP COLUMN progress, DROP COLUMN done_external_ids');
  }
}
