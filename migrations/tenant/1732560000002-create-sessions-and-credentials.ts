import { MigrationInterface, QueryRunner } from 'typeorm';

/** Sign-in state of a tenant: sessions, refresh-token families, revocations, one-time codes, service credentials. */
export class CreateSessionsAndCredentials1732560000002 implements MigrationInterface {
  name = 'CreateSessionsAndCredentials1732560000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN phone text, ADD COLUMN locked_until timestamptz, ADD COLUMN password_changed_at timestamptz`);
    await q.query(`CREATE UNIQUE INDEX users_phone_key ON users (phone) WHERE phone IS NOT NULL`);
    await q.query(`CREATE INDEX users_status_id_idx ON users (status, id)`);
    await q.query(`
      CREATE TABLE password_history (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX password_history_user_idx ON password_history (user_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE auth_sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        auth_method text NOT NULL CHECK (auth_method IN ('local', 'otp', 'saml', 'oidc', 'ldap')),
        ip text,
        user_agent text,
        device_type text,
        location text,
        status text NOT NULL CHECK (status IN ('active', 'revoked', 'expired', 'locked')),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        idle_expires_at timestamptz NOT NULL,
        absolute_expires_at timestamptz NOT NULL,
        expired_at timestamptz,
        revoked_at timestamptz,
        revoked_reason text
      )`);
    await q.query(`CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id, status, id)`);
    await q.query(`CREATE INDEX auth_sessions_revoked_idx ON auth_sessions (revoked_at) WHERE status = 'revoked'`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('active', 'rotated', 'revoked')),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        rotated_at timestamptz
      )`);
    await q.query(`CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id, status)`);
    await q.query(`
      CREATE TABLE revoked_access_tokens (
        jti uuid PRIMARY KEY,
        session_id uuid,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz NOT NULL DEFAULT now(),
        reason text NOT NULL
      )`);
    await q.query(`CREATE INDEX revoked_access_tokens_expiry_idx ON revoked_access_tokens (expires_at)`);
    await q.query(`
      CREATE TABLE otp_codes (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        channel text NOT NULL CHECK (channel IN ('email', 'sms')),
        code_hash bytea NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX otp_codes_user_idx ON otp_codes (user_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE service_credentials (
        id uuid PRIMARY KEY,
        client_id text NOT NULL UNIQUE,
        name text NOT NULL,
        secret_hash bytea NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        last_used_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE service_credentials, otp_codes, revoked_access_tokens, refresh_tokens, auth_sessions, password_history');
    await q.query('ALTER TABLE users DROP COLUMN phone, DROP COLUMN locked_until, DROP COLUMN password_changed_at');
  }
}
