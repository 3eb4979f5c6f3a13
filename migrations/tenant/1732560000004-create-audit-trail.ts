import { MigrationInterface, QueryRunner } from 'typeorm';
import { createAuditLogTables, dropAuditLogTables } from '../shared/audit-log-tables';

/**
 * The tenant's audit trail (append-only, hash-chained), its incidents, and what retention and
 * erasure need: a chain head and checkpoints, a privacy salt, erased users, anonymised sessions.
 */
export class CreateAuditTrail1732560000004 implements MigrationInterface {
  name = 'CreateAuditTrail1732560000004';

  async up(q: QueryRunner): Promise<void> {
    await createAuditLogTables(q, '');
    await q.query(`
      CREATE TABLE audit_incidents (
        id uuid PRIMARY KEY,
        rule text NOT NULL,
        severity text NOT NULL CHECK (severity IN ('medium', 'high', 'critical')),
        key text NOT NULL,
        user_id uuid,
        ip text,
        event_count integer NOT NULL,
        window_started_at timestamptz NOT NULL,
        detected_at timestamptz NOT NULL,
        trigger_event_id uuid NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        UNIQUE (rule, trigger_event_id)
      )`);
    await q.query(`CREATE INDEX audit_incidents_detected_idx ON audit_incidents (detected_at, id)`);
    await q.query(`CREATE INDEX audit_incidents_rule_key_idx ON audit_incidents (rule, key, detected_at)`);
    await q.query(`
      CREATE TABLE erased_users (
        user_id uuid PRIMARY KEY,
        erased_at timestamptz NOT NULL DEFAULT now(),
        erased_by text NOT NULL
      )`);
    // Keys the one-way hash of anonymised addresses; never leaves the database.
    await q.query(`
      CREATE TABLE privacy_salt (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        salt bytea NOT NULL
      )`);
    await q.query(`INSERT INTO privacy_salt (salt) VALUES (sha256(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())))`);
    await q.query(`ALTER TABLE auth_sessions ADD COLUMN anonymised_at timestamptz`);
    await q.query(`CREATE INDEX auth_sessions_last_seen_idx ON auth_sessions (last_seen_at)`);
    await q.query(`CREATE INDEX auth_sessions_user_anon_idx ON auth_sessions (user_id) WHERE anonymised_at IS NULL`);
    await q.query(`CREATE INDEX refresh_tokens_expiry_idx ON refresh_tokens (expires_at)`);
    await q.query(`CREATE INDEX otp_codes_expiry_idx ON otp_codes (expires_at)`);
    // Erasure is a tenant admin's duty (GDPR art. 17 requests).
    await q.query(
      `UPDATE roles SET permissions = array_append(permissions, 'user.erase:any'), updated_at = now()
        WHERE builtin AND name = 'tenant_admin' AND NOT ('user.erase:any' = ANY (permissions))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE roles SET permissions = array_remove(permissions, 'user.erase:any'), updated_at = now() WHERE builtin AND name = 'tenant_admin'`);
    await q.query('DROP INDEX otp_codes_expiry_idx, refresh_tokens_expiry_idx, auth_sessions_user_anon_idx, auth_sessions_last_seen_idx');
    await q.query('ALTER TABLE auth_sessions DROP COLUMN anonymised_at');
    await q.query('DROP TABLE privacy_salt, erased_users, audit_incidents');
    await dropAuditLogTables(q, '');
  }
}
