import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ActorSystem } from '@credence/actors';
import { RequestContext } from '@credence/context';
import { subjects } from '@credence/contracts';
import { sha256 } from '@credence/crypto';
import { DomainError, ErrorCode } from '@credence/errors';
import { TenantRegistry, TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { TokenIssuer } from '../tokens/token-issuer';
import { SessionLifecycle, sessionActor, TokenPair } from './session-lifecycle';
import { newRefreshToken, REFRESH_TOKEN_PATTERN, sessionIdOf } from './session-tokens';
import { LOCK_PRESENTED_TOKEN_SQL, PresentedToken, ROTATE_REFRESH_TOKEN_SQL } from './rotate-refresh-token.sql';
import { outboxRowParams } from '@credence/outbox';

/** The session a rotated refresh token belongs to, for the OpenID Provider's ID token. */
export interface RefreshedSession {
  userId: string;
  clientId: string | null;
  scope: string | null;
  browserSessionId: string | null;
}

export interface Rotation {
  pair: TokenPair;
  session: RefreshedSession;
}

type Outcome = { kind: 'ok'; rotated: PresentedToken; session: RefreshedSession } | { kind: 'refused'; presented: PresentedToken } | { kind: 'unknown' };

/**
 * Refresh-token rotation. Each use retires the presented token and issues a new pair; presenting a
 * retired token again means it leaked, so the whole family (the session) is revoked, including the
 * newest token, and `auth.token.reuse_detected` is raised. The session actor serialises presentations:
 * its mailbox in this process, the row locks of the rotation statement across processes.
 */
@Injectable()
export class RefreshSession {
  constructor(
    private readonly actors: ActorSystem,
    private readonly runner: TenantTransactionRunner,
    private readonly sessions: SessionLifecycle,
    private readonly issuer: TokenIssuer,
    private readonly registry: TenantRegistry,
    private readonly context: RequestContext,
  ) {}

  /** Rotates a refresh token of the tenant in context: the API route, for sessions not bound to an OAuth client. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    return (await this.rotate(refreshToken, null)).pair;
  }

  /**
   * Rotates a refresh token whose session belongs to `expectedClient` (null: a session started by
   * the API's own sign-in, not by an application). A token of another client is refused without
   * rotating it or touching its family, so one app cannot spend or burn another app's tokens.
   * `alsoInUnit` runs after a successful rotation in the same transaction (the OpenID Provider reads
   * what its ID token needs there, instead of in transactions of its own).
   */
  async rotate(refreshToken: string, expectedClient: string | null, alsoInUnit?: (uow: UnitOfWork, session: RefreshedSession) => Promise<void>): Promise<Rotation> {
    const tenant = this.context.requireTenant();
    if (!REFRESH_TOKEN_PATTERN.test(refreshToken)) throw new DomainError('auth.token.invalid');
    const hash = sha256(refreshToken);
    const sessionId = sessionIdOf(refreshToken) ?? (await this.sessionOfEarlierToken(hash));
    if (!sessionId) throw new DomainError('auth.token.invalid');
    const [settings, draft] = await Promise.all([this.registry.settings(tenant), this.issuer.draft(tenant), this.issuer.prepare(tenant)]);
    const next = newRefreshToken(sessionId);

    // Without more work in the unit, the COMMIT leaves with the statement: one round trip per refresh.
    // A refused token wrote nothing; what follows from the refusal is revoked in a unit of its own (bear).
    const outcome = await this.actors.send(
      sessionActor(tenant.id, sessionId),
      async (uow): Promise<Outcome> => {
        const refreshed = uow.event('auth.token.refreshed', subjects.session(sessionId), {
          session_id: sessionId,
          user_id: '', // the statement puts in the session's user
          jti: draft.jti,
          expires_at: new Date(draft.exp * 1000).toISOString(),
        });
        const params = [hash, sessionId, expectedClient, uuidv7(), next.hash, settings.refresh_token_idle_seconds, settings.session_idle_seconds, ...outboxRowParams(refreshed)];
        const [t] = alsoInUnit
          ? await uow.query<PresentedToken[]>(ROTATE_REFRESH_TOKEN_SQL, params)
          : await uow.queryThenCommit<PresentedToken[]>(ROTATE_REFRESH_TOKEN_SQL, params);
        if (!t) return { kind: 'unknown' };
        if (!t.rotated) return { kind: 'refused', presented: t };
        refreshed.envelope.data.user_id = t.user_id;
        uow.emitWritten(refreshed);
        const session: RefreshedSession = { userId: t.user_id, clientId: t.client_id, scope: t.scope, browserSessionId: t.browser_session_id };
        if (alsoInUnit) await alsoInUnit(uow, session);
        return { kind: 'ok', rotated: t, session };
      },
      { rowLocked: true },
    );
    if (outcome.kind === 'ok') {
      const { rotated: t, session } = outcome;
      const access = await this.issuer.issue(
        tenant,
        { userId: t.user_id, sessionId: t.session_id, roles: t.roles, clientId: t.client_id ?? undefined, scope: t.scope ?? undefined },
        draft,
      );
      return {
        pair: { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, refresh_token: next.token, session_id: t.session_id },
        session,
      };
    }
    if (outcome.kind === 'unknown') throw new DomainError('auth.token.invalid');
    const refusal = refusalOf(outcome.presented, expectedClient);
    if (refusal.consequence) {
      const { consequence } = refusal;
      await this.actors.send(sessionActor(tenant.id, sessionId), (uow) => this.bear(uow, hash, outcome.presented, consequence), { rowLocked: true });
    }
    // The revocation committed above; only now tell the caller. Every refused refresh token is a 401 (no
    // challenge: no bearer token was presented), so a client has one rule: on 401 from refresh, sign in again.
    throw new DomainError(refusal.code);
  }

  /** A token of the earlier form names no session: one lookup, once per session (its successor names it). */
  private async sessionOfEarlierToken(hash: Buffer): Promise<string | undefined> {
    const [found] = await this.runner.queryInTenant<{ session_id: string }[]>('SELECT session_id FROM refresh_tokens WHERE token_hash = $1', [hash]);
    return found?.session_id;
  }

  /**
   * What a refusal leaves behind, in a unit after the statement's, decided on what that statement read
   * under its row locks. Each consequence is a revocation, which stays right whatever committed in
   * between (revoking a revoked session changes nothing).
   */
  private async bear(uow: UnitOfWork, hash: Buffer, t: PresentedToken, consequence: Consequence): Promise<void> {
    await uow.query(LOCK_PRESENTED_TOKEN_SQL, [hash, t.session_id]); // the rotation's lock order: no deadlock with one in another process
    await this.sessions.revokeInUnit(uow, { sessionId: t.session_id }, consequence);
    if (consequence === 'refresh_token_reuse') {
      uow.emit('auth.token.reuse_detected', subjects.session(t.session_id), { session_id: t.session_id, user_id: t.user_id });
    }
    if (consequence === 'session_expired') {
      await uow.query(`UPDATE auth_sessions SET status = 'expired', expired_at = now() WHERE id = $1`, [t.session_id]);
    }
  }
}

/** The revocation reasons a refused refresh token can lead to. */
type Consequence = 'refresh_token_reuse' | 'session_expired' | 'user_not_active';

/**
 * Why the rotation statement wrote nothing (the order of the checks is the documented one): the error
 * the caller gets and what is to be revoked. The checks are the statement's `ok`, read back.
 */
function refusalOf(t: PresentedToken, expectedClient: string | null): { code: ErrorCode; consequence?: Consequence } {
  // Indistinguishable from an unknown token: the caller learns nothing about another client's sessions.
  if (t.client_id !== expectedClient) return { code: 'auth.token.invalid' };
  if (t.status === 'rotated') return { code: 'auth.token.reuse_detected', consequence: 'refresh_token_reuse' };
  if (t.status === 'revoked' || t.session_status !== 'active') return { code: 'auth.session.revoked' };
  if (t.session_expired || t.expired) return { code: 'auth.token.expired', consequence: 'session_expired' };
  if (t.user_status !== 'active') return { code: 'auth.session.revoked', consequence: 'user_not_active' };
  throw new Error('the rotation statement refused a refresh token that passes every check'); // its `ok` and these checks disagree
}
