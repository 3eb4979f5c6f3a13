import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Directory sync (libs/sync): each source's settings, the runs a source sent, what Credence last took
 * from a source for each external id (`sync_state`: its content hash, the values applied, so a field
 * changed on both sides is seen), and the conflicts kept for an admin. Tenant admins get
 * sync.write:any (send batches, read runs) and sync.manage:any (sources, conflicts).
 */
export class DirectorySync1732560000017 implements MigrationInterface {
  name = 'DirectorySync1732560000017';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sync_sources (
        source text PRIMARY KEY,
        conflict_strategy text NOT NULL CHECK (conflict_strategy IN ('source_wins', 'timestamp', 'manual')),
        timestamp_tolerance_ms integer NOT NULL CHECK (timestamp_tolerance_ms BETWEEN 0 AND 86400000),
        max_disable_share numeric(5, 4) NOT NULL CHECK (max_disable_share BETWEEN 0 AND 1),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE sync_runs (
        id uuid PRIMARY KEY,
        source text NOT NULL,
        mode text NOT NULL CHECK (mode IN ('full', 'incremental')),
        force boolean NOT NULL DEFAULT false,
        status text NOT NULL CHECK (status IN ('started', 'completed', 'failed')),
        requested_by text NOT NULL,
        users jsonb NOT NULL,
        seen_external_ids text[] NOT NULL,
        next_index integer NOT NULL DEFAULT 0,
        counts jsonb NOT NULL DEFAULT '{}'::jsonb,
        errors jsonb NOT NULL DEFAULT '[]'::jsonb,
        failure jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        completed_at timestamptz
      )`);
    await q.query(`CREATE INDEX sync_runs_source_idx ON sync_runs (source, id)`);
    await q.query(`
      CREATE TABLE sync_state (
        source text NOT NULL,
        entity text NOT NULL CHECK (entity IN ('user')),
        external_id text NOT NULL,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        content_hash text NOT NULL,
        applied jsonb NOT NULL,
        groups text[] NOT NULL DEFAULT '{}',
        source_updated_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        status text NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'conflict', 'error')),
        last_error jsonb,
        last_run_id uuid,
        last_synced_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, entity, external_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX sync_state_user_key ON sync_state (source, entity, user_id)`);
    await q.query(`CREATE INDEX sync_state_user_idx ON sync_state (user_id)`);
    await q.query(`
      CREATE TABLE sync_conflicts (
        id uuid PRIMARY KEY,
        source text NOT NULL,
        external_id text NOT NULL,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        field text NOT NULL,
        source_value jsonb,
        credence_value jsonb,
        source_updated_at timestamptz,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        resolution text CHECK (resolution IN ('source', 'credence', 'merged')),
        resolved_by text,
        run_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX sync_conflicts_open_key ON sync_conflicts (source, external_id, field) WHERE status = 'open'`);
    await q.query(`CREATE INDEX sync_conflicts_status_idx ON sync_conflicts (status, id)`);
    await q.query(
      `UPDATE roles SET permissions = permissions || ARRAY['sync.write:any', 'sync.manage:any']::text[], updated_at = now()
        WHERE builtin AND name = 'tenant_admin' AND NOT ('sync.write:any' = ANY (permissions))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE roles SET permissions = array_remove(array_remove(permissions, 'sync.write:any'), 'sync.manage:any') WHERE builtin AND name = 'tenant_admin'`);
    await q.query('DROP TABLE sync_conflicts');
    await q.query('DROP TABLE sync_state');
    await q.query('DROP TABLE sync_runs');
    await q.query('DROP TABLE sync_sources');
  }
}
