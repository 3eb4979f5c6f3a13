import { namedSql } from '@credence/database';
import { OUTBOX_COLUMNS } from '@credence/outbox';
/** What the rotation statement read (locked) about the presented token, its session and its user. */
export interface PresentedToken {
  id: string;
  status: 'active' | 'rotated' | 'revoked';
  expired: boolean;
  session_id: string;
  user_id: string;
  session_status: string;
  session_expired: boolean;
  user_status: string;
  client_id: string | null;
  scope: string | null;
  browser_session_id: string | null;
  /** The token was rotated by this statement: every check passed and the writes below happened. */
  rotated: boolean;
  /** The user's role names, for the new access token; empty unless rotated. */
  roles: string[];
}

/**
 * A refresh in one statement. It locks the presented token and its session (the row locks serialise
 * a family's presentations across processes) and, only when every check passes, retires the token,
 * stores its successor, moves the session's idle deadline, writes the `auth.token.refreshed` outbox
 * row and reads the user's roles. When a check fails it writes nothing and RefreshSession decides
 * from the row what to do (reuse, expiry, ...). The checks in `ok` are the ones RefreshSession.refused()
 * makes, in SQL. Writing the event here is what lets the COMMIT travel with the statement (one round
 * trip per refresh): the event's `user_id` is only known here, so the statement puts it in.
 *
 * $1 hash of the presented token, $2 its session id, $3 the client the session must belong to (null:
 * the API's own sessions), $4 id and $5 hash of the successor, $6 refresh token idle seconds, $7 session
 * idle seconds, $8–$12 the event's outbox row (outboxRowParams) without its user id.
 */
export const ROTATE_REFRESH_TOKEN_SQL = namedSql(
  'rotate_refresh_token',
  `
  WITH t AS (
    SELECT rt.id, rt.status, rt.expires_at <= now() AS expired, s.id AS session_id, s.user_id, s.status AS session_status,
           (s.idle_expires_at <= now() OR s.absolute_expires_at <= now()) AS session_expired, s.absolute_expires_at, u.status AS user_status,
           s.client_id, s.scope, s.browser_session_id
      FROM refresh_tokens rt JOIN auth_sessions s ON s.id = rt.session_id JOIN users u ON u.id = s.user_id
     WHERE rt.token_hash = $1 AND rt.session_id = $2
       FOR UPDATE OF rt, s),
  ok AS (
    SELECT * FROM t
     WHERE t.client_id IS NOT DISTINCT FROM $3::text AND t.status = 'active' AND t.session_status = 'active'
       AND NOT t.session_expired AND NOT t.expired AND t.user_status = 'active'),
  spent AS (
    UPDATE refresh_tokens rt SET status = 'rotated', rotated_at = now() FROM ok WHERE rt.id = ok.id RETURNING rt.id),
  successor AS (
    INSERT INTO refresh_tokens (id, session_id, token_hash, status, expires_at)
    SELECT $4, ok.session_id, $5, 'active', LEAST(ok.absolute_expires_at, now() + make_interval(secs => $6)) FROM ok
    RETURNING id),
  seen AS (
    UPDATE auth_sessions s SET last_seen_at = now(), idle_expires_at = LEAST(s.absolute_expires_at, now() + make_interval(secs => $7))
      FROM ok WHERE s.id = ok.session_id RETURNING s.id),
  event AS (
    INSERT INTO platform.outbox (${OUTBOX_COLUMNS})
    SELECT $8::uuid, $9, $10, $11, jsonb_set($12::jsonb, '{data,user_id}', to_jsonb(ok.user_id)) FROM ok
    RETURNING 1)
  SELECT t.id, t.status, t.expired, t.session_id, t.user_id, t.session_status, t.session_expired, t.user_status, t.client_id, t.scope,
         t.browser_session_id,
         EXISTS (SELECT 1 FROM spent) AND EXISTS (SELECT 1 FROM successor) AND EXISTS (SELECT 1 FROM seen) AND EXISTS (SELECT 1 FROM event) AS rotated,
         ARRAY(SELECT ro.name FROM ok JOIN user_roles ur ON ur.user_id = ok.user_id JOIN roles ro ON ro.id = ur.role_id
                ORDER BY ro.rank NULLS LAST, ro.name) AS roles
    FROM t`,
);

/**
 * The rotation statement's row locks alone, taken in its order (the presented token, then its session):
 * the first statement of a unit that revokes a family after a refused rotation. Revoking alone locks
 * the session first and the tokens after, so it could deadlock with a rotation of the same token in
 * another process, which holds the token and waits for the session.
 */
export const LOCK_PRESENTED_TOKEN_SQL = namedSql(
  'lock_presented_refresh_token',
  `SELECT 1 FROM refresh_tokens rt JOIN auth_sessions s ON s.id = rt.session_id WHERE rt.token_hash = $1 AND rt.session_id = $2 FOR UPDATE OF rt, s`,
);
