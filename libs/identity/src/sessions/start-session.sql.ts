import { namedSql } from '@credence/database';
import { OUTBOX_COLUMNS } from '@credence/outbox';
import type { SessionUser } from './session-lifecycle';

/** A deadline as the events carry it: `Date.prototype.toISOString()`'s form (UTC, milliseconds, `Z`). */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** What the start statement read and wrote: the user (share-locked), and the session's deadlines when it started. */
export interface StartedRow extends SessionUser {
  /** Null when the user is not active: nothing was written. */
  idle_expires_at: string | null;
  absolute_expires_at: string | null;
  roles: string[];
}

/**
 * A session start in one statement: the user (share-locked, so a concurrent disable either is seen
 * here or waits and then revokes this session), the session, its first refresh token, the user's
 * roles, and the outbox rows of `auth.session.created`, `auth.token.issued` and the caller's own event
 * of the sign-in when it has one (`auth.login.succeeded`). The session's
 * deadlines come from the database's clock, so the statement puts them into the first event. Nothing
 * is written for a user who is not active, nor for an app's session whose browser session has ended
 * (a code issued before a logout must not outlive it). That row is share-locked too: an ending that
 * runs meanwhile waits, then revokes this session with the others, or is seen here. Writing the events here lets a unit that is only this
 * statement send its COMMIT along (one round trip).
 *
 * $1 session id, $2 user id, $3 method, $4–$7 ip, user agent, device type, location, $8 idle and $9
 * absolute seconds, $10–$12 client id, scope and browser session (OpenID Provider), $13 id and $14
 * hash of the refresh token, $15 its idle seconds, $16–$20 and $21–$25 the two events' outbox rows
 * (outboxRowParams), the first without its deadlines, $26–$30 the caller's event's row (all null for none).
 */
export const START_SESSION_SQL = namedSql(
  'start_session',
  `
  WITH u AS (SELECT id, status, email, username, display_name, attributes FROM users WHERE id = $2 FOR SHARE),
  b AS (SELECT id FROM browser_sessions WHERE id = $12::uuid AND user_id = $2 AND status = 'active' AND absolute_expires_at > now() FOR SHARE),
  s AS (
    INSERT INTO auth_sessions (id, user_id, auth_method, ip, user_agent, device_type, location, status, idle_expires_at, absolute_expires_at, client_id, scope, browser_session_id)
    SELECT $1, u.id, $3, $4, $5, $6, $7, 'active', now() + make_interval(secs => LEAST($8::int, $9::int)), now() + make_interval(secs => $9), $10, $11, $12
      FROM u WHERE u.status = 'active' AND ($12::uuid IS NULL OR EXISTS (SELECT 1 FROM b))
    RETURNING id, ${iso('idle_expires_at')} AS idle_expires_at, ${iso('absolute_expires_at')} AS absolute_expires_at, absolute_expires_at AS absolute_deadline),
  r AS (
    INSERT INTO refresh_tokens (id, session_id, token_hash, status, expires_at)
    SELECT $13, s.id, $14, 'active', LEAST(s.absolute_deadline, now() + make_interval(secs => $15)) FROM s
    RETURNING session_id),
  events AS (
    INSERT INTO platform.outbox (${OUTBOX_COLUMNS})
    SELECT $16::uuid, $17, $18, $19,
           jsonb_set(jsonb_set($20::jsonb, '{data,idle_expires_at}', to_jsonb(s.idle_expires_at)), '{data,absolute_expires_at}', to_jsonb(s.absolute_expires_at))
      FROM s
    UNION ALL
    SELECT $21::uuid, $22, $23, $24, $25::jsonb FROM s
    UNION ALL
    SELECT $26::uuid, $27, $28, $29, $30::jsonb FROM s WHERE $26::uuid IS NOT NULL)
  SELECT u.id, u.status, u.email, u.username, u.display_name, u.attributes, s.idle_expires_at, s.absolute_expires_at,
         ARRAY(SELECT ro.name FROM user_roles ur JOIN roles ro ON ro.id = ur.role_id WHERE ur.user_id = u.id ORDER BY ro.rank NULLS LAST, ro.name) AS roles
    FROM u LEFT JOIN s ON true LEFT JOIN r ON r.session_id = s.id`,
);
