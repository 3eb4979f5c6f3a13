import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { RequestContext } from '@credence/context';
import type { AuthMethod } from '@credence/contracts';
import { newSecretToken, sha256 } from '@credence/crypto';
import { TenantRegistry, TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { SessionLifecycle } from './session-lifecycle';

export interface BrowserSession {
  id: string;
  userId: string;
  /** Epoch seconds of the sign-in. */
  authTime: number;
  method: AuthMethod;
  amr: string[];
  idp: string | null;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** How stale `last_seen_at` may get before a use moves the idle deadline on, or half the idle limit if shorter (docs/oidc.md). */
export const TOUCH_EVERY_SECONDS = 60;

/**
 * $1 the cookie's hash, $2 the tenant's session idle seconds, $3 TOUCH_EVERY_SECONDS. The touch
 * rechecks `status` on the row it updates, so a session ended meanwhile is not moved on.
 */
const FIND_AND_TOUCH_SQL = `
  WITH found AS (
    SELECT b.id, b.user_id, b.auth_time, b.auth_method, b.amr, b.idp, b.last_seen_at
      FROM browser_sessions b JOIN users u ON u.id = b.user_id
     WHERE b.token_hash = $1 AND b.status = 'active' AND b.idle_expires_at > now() AND b.absolute_expires_at > now() AND u.status = 'active'),
  touched AS (
    UPDATE browser_sessions b SET last_seen_at = now(), idle_expires_at = LEAST(b.absolute_expires_at, now() + make_interval(secs => $2))
      FROM found WHERE b.id = found.id AND found.last_seen_at <= now() - make_interval(secs => LEAST($3::int, $2::int / 2)) AND b.status = 'active'
    RETURNING b.id)
  SELECT id, user_id, auth_time, auth_method, amr, idp FROM found`;

/**
 * The tenant's browser sessions (table browser_sessions), for the OpenID Provider (libs/oauth): what lets
 * a second app of the tenant get a code without a new sign-in. Found by the SHA-256 of the cookie; bounded by the tenant's session idle
 * and absolute limits, like API sessions. Ending one revokes every app session started from it.
 */
@Injectable()
export class BrowserSessions {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly registry: TenantRegistry,
    private readonly sessions: SessionLifecycle,
    private readonly context: RequestContext,
  ) {}

  /** Starts one inside the caller's transaction; returns it and the cookie value (shown only here). */
  async start(
    uow: UnitOfWork,
    user: { userId: string; method: AuthMethod; amr: string[]; idp?: string },
  ): Promise<{ session: BrowserSession; token: string; maxAgeSeconds: number }> {
    const settings = await this.registry.settings(uow.tenant!);
    const token = newSecretToken();
    const id = uuidv7();
    const [row] = await uow.query<{ auth_time: Date }[]>(
      `INSERT INTO browser_sessions (id, token_hash, user_id, auth_time, auth_method, amr, idp, status, idle_expires_at, absolute_expires_at)
       VALUES ($1, $2, $3, now(), $8, $4, $5, 'active', now() + make_interval(secs => LEAST($6::int, $7::int)), now() + make_interval(secs => $7))
       RETURNING auth_time`,
      [id, sha256(token), user.userId, user.amr, user.idp ?? null, settings.session_idle_seconds, settings.session_absolute_seconds, user.method],
    );
    const session = { id, userId: user.userId, authTime: Math.floor(row.auth_time.getTime() / 1000), method: user.method, amr: user.amr, idp: user.idp ?? null };
    return { session, token, maxAgeSeconds: settings.session_absolute_seconds };
  }

  /**
   * The active session this cookie names, of a user who is still active. Its idle deadline moves on
   * at most once a minute (TOUCH_EVERY_SECONDS): in between, this is a read, with no row written and
   * no WAL to flush at commit, however many apps the browser signs into.
   */
  async find(cookie: string | undefined): Promise<BrowserSession | undefined> {
    if (!cookie || !TOKEN.test(cookie)) return undefined;
    const settings = await this.registry.settings(this.context.requireTenant());
    const [row] = await this.runner.queryInTenant<{ id: string; user_id: string; auth_time: Date; auth_method: AuthMethod; amr: string[]; idp: string | null }[]>(
      FIND_AND_TOUCH_SQL,
      [sha256(cookie), settings.session_idle_seconds, TOUCH_EVERY_SECONDS],
    );
    return row ? { id: row.id, userId: row.user_id, authTime: Math.floor(row.auth_time.getTime() / 1000), method: row.auth_method, amr: row.amr, idp: row.idp } : undefined;
  }

  /**
   * Ends the user's browser session and revokes the sessions (and so the tokens) of every app it signed
   * in. A session of another user is left alone (an ID token names both, and must agree).
   */
  async endForUser(browserSessionId: string, userId: string, reason: string): Promise<string[]> {
    if (!UUID.test(browserSessionId)) return [];
    return this.runner.inTenant(async (uow) => {
      const ended = await uow.query<unknown[]>(
        `UPDATE browser_sessions SET status = 'ended', ended_at = now(), ended_reason = $3 WHERE id = $1 AND user_id = $2 AND status = 'active' RETURNING id`,
        [browserSessionId, userId, reason],
      );
      return ended.length ? this.sessions.revokeInUnit(uow, { browserSessionId }, reason) : [];
    });
  }

  /** Ends the user's browser sessions that came through this connection (SAML single logout from the IdP), and their app sessions. */
  async endForConnectionUser(connectionId: string, userId: string, reason: string): Promise<string[]> {
    return this.runner.inTenant(async (uow) => {
      const ended = await uow.query<{ id: string }[]>(
        `UPDATE browser_sessions SET status = 'ended', ended_at = now(), ended_reason = $3 WHERE user_id = $1 AND idp = $2 AND status = 'active' RETURNING id`,
        [userId, connectionId, reason],
      );
      const revoked: string[] = [];
      for (const { id } of ended) revoked.push(...(await this.sessions.revokeInUnit(uow, { browserSessionId: id }, reason)));
      return revoked;
    });
  }
}
