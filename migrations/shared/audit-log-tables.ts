import { QueryRunner } from 'typeorm';

export type AuditTablePrefix = '' | 'platform.platform_';

/**
 * The hash-chained, append-only audit log with its chain head and retention checkpoints. Tenant
 * schemas get `audit_*` through their search_path (`s` = ''); the platform schema gets
 * `platform.platform_audit_*` (`s` = 'platform.platform_'). Tenant and platform table names must
 * differ: search_path falls through to `platform`, and a tenant not yet migrated must never write
 * into the platform's trail.
 */
export async function createAuditLogTables(q: QueryRunner, s: AuditTablePrefix): Promise<void> {
  await q.query(`
    CREATE TABLE ${s}audit_log (
      seq bigint PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE,
      type text NOT NULL,
      occurred_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      source text NOT NULL,
      actor_type text NOT NULL CHECK (actor_type IN ('user', 'service', 'platform_admin', 'system')),
      actor_id text,
      subject text NOT NULL,
      user_id uuid,
      outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
      severity text NOT NULL CHECK (severity IN ('info', 'medium', 'high', 'critical')),
      ip text,
      user_agent text,
      location text,
      identity jsonb,
      trace_id text,
      payload jsonb NOT NULL,
      personal_digest bytea NOT NULL,
      hash bytea NOT NULL,
      erased_at timestamptz
    )`);
  // Every filter of the query API leads with its column and ends in (occurred_at, seq): keyset pages.
  await q.query(`CREATE INDEX audit_log_time_idx ON ${s}audit_log (occurred_at, seq)`);
  await q.query(`CREATE INDEX audit_log_type_idx ON ${s}audit_log (type, occurred_at, seq)`);
  await q.query(`CREATE INDEX audit_log_actor_idx ON ${s}audit_log (actor_id, occurred_at, seq)`);
  await q.query(`CREATE INDEX audit_log_subject_idx ON ${s}audit_log (subject, occurred_at, seq)`);
  await q.query(`CREATE INDEX audit_log_user_idx ON ${s}audit_log (user_id, occurred_at, seq) WHERE user_id IS NOT NULL`);
  await q.query(`CREATE INDEX audit_log_ip_idx ON ${s}audit_log (ip, occurred_at, seq) WHERE ip IS NOT NULL`);
  await q.query(`CREATE INDEX audit_log_outcome_idx ON ${s}audit_log (outcome, occurred_at, seq) WHERE outcome <> 'success'`);
  await q.query(`CREATE INDEX audit_log_severity_idx ON ${s}audit_log (severity, occurred_at, seq) WHERE severity <> 'info'`);
  // Append-only for the application: only a transaction that says it is retention or erasure may change rows.
  await q.query(`
    CREATE FUNCTION ${s}audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF coalesce(current_setting('credence.audit_maintenance', true), '') <> 'on' THEN
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NULL;
    END $$`);
  await q.query(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${s}audit_log FOR EACH STATEMENT EXECUTE FUNCTION ${s}audit_log_append_only()`);
  await q.query(`
    CREATE TABLE ${s}audit_chain (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      last_seq bigint NOT NULL,
      last_hash bytea NOT NULL
    )`);
  await q.query(`INSERT INTO ${s}audit_chain (last_seq, last_hash) VALUES (0, decode(repeat('00', 32), 'hex'))`);
  await q.query(`
    CREATE TABLE ${s}audit_checkpoints (
      seq bigint PRIMARY KEY,
      hash bytea NOT NULL,
      rows_deleted bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
}

export async function dropAuditLogTables(q: QueryRunner, s: AuditTablePrefix): Promise<void> {
  await q.query(`DROP TABLE ${s}audit_checkpoints, ${s}audit_chain, ${s}audit_log`);
  await q.query(`DROP FUNCTION ${s}audit_log_append_only()`);
}
