import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The OpenID Provider's browser sessions (owned by libs/identity's sessions, used by libs/oauth): one per browser that signed in to the tenant
 * through the hosted page or an IdP, found by the SHA-256 of its cookie. Each code exchange starts an
 * ordinary auth session (one refresh-token family) for one application, linked to the browser session
 * it came from, so logging the browser out revokes every app's tokens at once. Auth sessions also
 * remember their client and granted scope: a refresh token is good only for the client it was issued to.
 */
export class BrowserSessions1732560000013 implements MigrationInterface {
  name = 'BrowserSessions1732560000013';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE browser_sessions (
        id uuid PRIMARY KEY,
        token_hash bytea NOT NULL UNIQUE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        auth_time timestamptz NOT NULL,
        auth_method text NOT NULL CHECK (auth_method IN ('local', 'otp', 'saml', 'oidc', 'ldap')),
        amr text[] NOT NULL,
        idp uuid,
        status text NOT NULL CHECK (status IN ('active', 'ended')),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        idle_expires_at timestamptz NOT NULL,
        absolute_expires_at timestamptz NOT NULL,
        ended_at timestamptz,
        ended_reason text
      )`);
    await q.query(`CREATE INDEX browser_sessions_user_idx ON browser_sessions (user_id, status)`);
    await q.query(`CREATE INDEX browser_sessions_expiry_idx ON browser_sessions (absolute_expires_at)`);
    await q.query(`
      ALTER TABLE auth_sessions
        ADD COLUMN client_id text,
        ADD COLUMN scope text,
        ADD COLUMN browser_session_id uuid REFERENCES browser_sessions (id) ON DELETE SET NULL`);
    await q.query(`CREATE INDEX auth_sessions_browser_session_idx ON auth_sessions (browser_session_id) WHERE browser_session_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth_sessions DROP COLUMN browser_session_id, DROP COLUMN scope, DROP COLUMN client_id`);
    await q.query('DROP TABLE browser_sessions');
  }
}
