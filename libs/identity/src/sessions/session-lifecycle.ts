import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ActorSystem } from '@credence/actors';
import { AuthMethod, ClientData, subjects } from '@credence/contracts';
import { RequestContext } from '@credence/context';
import { outboxRowParams, PendingEvent } from '@credence/outbox';
import { DomainError } from '@credence/errors';
import { TenantRegistry, TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { TokenIssuer } from '../tokens/token-issuer';
import { RevocationStore } from '../revocation/revocation-store';
import { ClientInfo } from './client-info';
import { newRefreshToken } from './session-tokens';
import { START_SESSION_SQL, StartedRow } from './start-session.sql';

export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  session_id: string;
}

/** What ties a session started by the OpenID Provider to its application and browser session. */
export interface OAuthSessionLink {
  clientId: string;
  /** The scope granted, space-separated (RFC 6749 §3.3). */
  scope: string;
  browserSessionId: string | null;
}

/** The sign-in's own event, made once the new session's id is known, written by the start statement with the session's. */
export type SignInEvent = (uow: UnitOfWork, sessionId: string) => PendingEvent;

/** What `SessionLifecycle.prepare` fetched for a session start in a caller's unit of work. */
export interface PreparedSessionStart {
  settings: Awaited<ReturnType<TenantRegistry['settings']>>;
}

/** A started session's tokens, and its user as the statement that started it read them. */
export interface StartedSession {
  pair: TokenPair;
  user: SessionUser;
}

/** The user a session starts for, as the statement that starts it reads them. */
export interface SessionUser {
  id: string;
  status: string;
  email: string;
  username: string | null;
  display_name: string | null;
  attributes: Record<string, unknown>;
}

/** The sessions revokeInUnit ends: $1 session, $2 user, $3 session to spare, $4 browser session (each null for any). */
const REVOKED_SESSIONS = `status = 'active' AND ($1::uuid IS NULL OR id = $1) AND ($2::uuid IS NULL OR user_id = $2) AND ($3::uuid IS NULL OR id <> $3)
  AND ($4::uuid IS NULL OR browser_session_id = $4)`;

export const sessionActor = (tenantId: string, sessionId: string) => ({ kind: 'session', tenantId, id: sessionId });

export function clientData(client: ClientInfo): ClientData {
  return { ip: client.ip, user_agent: client.userAgent, device_type: client.deviceType, location: client.location };
}

/**
 * Creates a session (one refresh-token family) and revokes sessions. Every change to an existing
 * session runs in its actor, so refresh and revocation of one family never interleave.
 */
@Injectable()
export class SessionLifecycle {
  constructor(
    private readonly actors: ActorSystem,
    private readonly runner: TenantTransactionRunner,
    private readonly issuer: TokenIssuer,
    private readonly registry: TenantRegistry,
    private readonly revocations: RevocationStore,
    private readonly context: RequestContext,
  ) {}

  /**
   * Starts a session in the tenant in context for a user who has just proven who they are, with more
   * of the caller's work in the same unit (a one-time code sign-in spends its code there): `alsoInTransaction`
   * runs after the start statement and gets the user's record, read under a share lock in that statement.
   * A user who is not (or no longer) active gets auth.account.disabled and nothing is written. A start with
   * nothing else in its unit but the sign-in's event is startFor (one round trip).
   */
  async start(
    userId: string,
    method: AuthMethod,
    client: ClientInfo,
    alsoInTransaction: (uow: UnitOfWork, sessionId: string, user: SessionUser) => Promise<void>,
  ): Promise<TokenPair> {
    const ready = await this.prepare();
    // No actor (mailbox and advisory lock) here: the session id is new and nobody can name it until this
    // commits, so nothing can interleave with its start. Refresh and revocation go through its actor.
    return this.runner.inTenant((uow) => this.startInUnit(uow, ready, userId, method, client, alsoInTransaction));
  }

  /**
   * A session start with nothing else in its unit but the sign-in's own event (`also.signedIn`), answering
   * the user's record too (read under the same share lock): one round trip, as the statement's COMMIT
   * goes with it.
   */
  async startFor(userId: string, method: AuthMethod, client: ClientInfo, also: { oauth?: OAuthSessionLink; signedIn?: SignInEvent } = {}): Promise<StartedSession> {
    const ready = await this.prepare();
    return this.runner.inTenant((uow) => this.open(uow, ready, userId, method, client, also.oauth, true, also.signedIn));
  }

  /**
   * What a session start needs from outside its transaction (the tenant's settings, its signing key):
   * fetched before any unit opens, so a cold cache never waits for a second pooled connection inside one.
   */
  async prepare(): Promise<PreparedSessionStart> {
    const tenant = this.context.requireTenant();
    const [settings] = await Promise.all([this.registry.settings(tenant), this.issuer.prepare(tenant)]);
    return { settings };
  }

  /**
   * `start` inside the caller's unit of work (a sign-in that resolved the user in the same transaction, e.g.
   * an LDAP sign-in's link and profile sync): the same statement, events and tokens; whatever the caller
   * does afterwards in the unit can still undo it.
   */
  async startInUnit(
    uow: UnitOfWork,
    ready: PreparedSessionStart,
    userId: string,
    method: AuthMethod,
    client: ClientInfo,
    alsoInTransaction?: (uow: UnitOfWork, sessionId: string, user: SessionUser) => Promise<void>,
    oauth?: OAuthSessionLink,
  ): Promise<TokenPair> {
    const started = await this.open(uow, ready, userId, method, client, oauth, false);
    if (alsoInTransaction) await alsoInTransaction(uow, started.pair.session_id, started.user);
    return started.pair;
  }

  /** The start statement (START_SESSION_SQL) and its tokens; `last`: the statement ends the unit, its COMMIT sent along. */
  private async open(
    uow: UnitOfWork,
    ready: PreparedSessionStart,
    userId: string,
    method: AuthMethod,
    client: ClientInfo,
    oauth: OAuthSessionLink | undefined,
    last: boolean,
    signedIn?: SignInEvent,
  ): Promise<StartedSession> {
    const tenant = this.context.requireTenant();
    const { settings } = ready;
    const sessionId = uuidv7();
    const refresh = newRefreshToken(sessionId);
    const draft = await this.issuer.draft(tenant);
    // A session lives only as long as its refresh tokens can renew it, so the earlier of the two
    // absolute limits is its one absolute deadline; every rotation is capped by it.
    const absoluteSeconds = Math.min(settings.session_absolute_seconds, settings.refresh_token_absolute_seconds);
    const created = uow.event('auth.session.created', subjects.session(sessionId), {
      session_id: sessionId,
      user_id: userId,
      auth_method: method,
      idle_expires_at: '', // the statement puts in both deadlines
      absolute_expires_at: '',
      ...clientData(client),
    });
    const issued = uow.event('auth.token.issued', subjects.session(sessionId), {
      session_id: sessionId,
      user_id: userId,
      jti: draft.jti,
      expires_at: new Date(draft.exp * 1000).toISOString(),
    });
    const own = signedIn?.(uow, sessionId);
    const params = [
      sessionId,
      userId,
      method,
      client.ip,
      client.userAgent,
      client.deviceType,
      client.location,
      settings.session_idle_seconds,
      absoluteSeconds,
      oauth?.clientId ?? null,
      oauth?.scope ?? null,
      oauth?.browserSessionId ?? null,
      uuidv7(),
      refresh.hash,
      settings.refresh_token_idle_seconds,
      ...outboxRowParams(created),
      ...outboxRowParams(issued),
      ...(own ? outboxRowParams(own) : [null, null, null, null, null]),
    ];
    const [row] = last ? await uow.queryThenCommit<StartedRow[]>(START_SESSION_SQL, params) : await uow.query<StartedRow[]>(START_SESSION_SQL, params);
    if (!row?.absolute_expires_at || !row.idle_expires_at) throw new DomainError(row?.status === 'active' ? 'auth.session.revoked' : 'auth.account.disabled');
    Object.assign(created.envelope.data, { idle_expires_at: row.idle_expires_at, absolute_expires_at: row.absolute_expires_at });
    uow.emitWritten(created);
    uow.emitWritten(issued);
    if (own) uow.emitWritten(own);
    const access = await this.issuer.issue(tenant, { userId, sessionId, roles: row.roles, clientId: oauth?.clientId, scope: oauth?.scope }, draft);
    const { id, status, email, username, display_name, attributes } = row;
    return {
      pair: { access_token: access.token, token_type: 'Bearer' as const, expires_in: access.expiresIn, refresh_token: refresh.token, session_id: sessionId },
      user: { id, status, email, username, display_name, attributes },
    };
  }

  /**
   * Revokes sessions inside the caller's unit of work: rows, refresh tokens, Redis marks, events.
   * Returns the sessions that were active and are now revoked.
   */
  async revokeInUnit(
    uow: UnitOfWork,
    where: { sessionId?: string; userId?: string; exceptSessionId?: string; browserSessionId?: string },
    reason: string,
    currentToken?: { jti: string; expiresAt: number },
  ): Promise<string[]> {
    // Revoking all of a user's sessions (logout everywhere, disabling, a password change) also ends their browser sessions: no app may sign them in from one again.
    // First: a code exchange that share-locked one of them is waited for, so the session it started is revoked below too.
    if (where.userId && !where.sessionId) {
      await uow.query(`UPDATE browser_sessions SET status = 'ended', ended_at = now(), ended_reason = $2 WHERE user_id = $1 AND status = 'active'`, [where.userId, reason]);
    }
    const selected = [where.sessionId ?? null, where.userId ?? null, where.exceptSessionId ?? null, where.browserSessionId ?? null];
    // A refresh locks its token, then the session (ROTATE_REFRESH_TOKEN_SQL): the tokens are locked first here too, or a
    // refresh of one of these sessions running meanwhile deadlocks with this, and Postgres aborts one of the two.
    await uow.query(`SELECT 1 FROM refresh_tokens WHERE status <> 'revoked' AND session_id IN (SELECT id FROM auth_sessions WHERE ${REVOKED_SESSIONS}) FOR UPDATE`, selected);
    const rows = await uow.query<{ id: string; user_id: string }[]>(
      `UPDATE auth_sessions SET status = 'revoked', revoked_at = now(), revoked_reason = $5 WHERE ${REVOKED_SESSIONS} RETURNING id, user_id`,
      [...selected, reason],
    );
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    await uow.query(`UPDATE refresh_tokens SET status = 'revoked' WHERE session_id = ANY($1) AND status <> 'revoked'`, [ids]);
    const current = currentToken ? [{ jti: currentToken.jti, sessionId: where.sessionId ?? ids[0], expiresAt: currentToken.expiresAt }] : [];
    await this.revocations.revoke(uow, { sessionIds: ids, tokens: current, reason });
    for (const r of rows) {
      uow.emit('auth.session.revoked', subjects.session(r.id), { session_id: r.id, user_id: r.user_id, reason });
      if (currentToken && r.id === where.sessionId) {
        uow.emit('auth.token.revoked', subjects.session(r.id), { session_id: r.id, user_id: r.user_id, jti: currentToken.jti, reason });
      }
    }
    return ids;
  }

  /** Revokes one session through its actor. */
  async revokeSession(sessionId: string, reason: string, currentToken?: { jti: string; expiresAt: number }): Promise<string[]> {
    return this.actors.send(sessionActor(this.context.requireTenant().id, sessionId), (uow) => this.revokeInUnit(uow, { sessionId }, reason, currentToken));
  }

  /** Revokes every active session of a user (logout-all, disabling, password change). */
  async revokeAllForUser(userId: string, reason: string): Promise<string[]> {
    return this.actors.send({ kind: 'user-sessions', tenantId: this.context.requireTenant().id, id: userId }, (uow) => this.revokeInUnit(uow, { userId }, reason));
  }
}
