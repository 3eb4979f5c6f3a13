import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import { REDIS } from '@credence/redis';
import type { AfterLogout } from '@credence/oauth';
import type { FederatedIdentity } from '../users/federated-identity';

/** An AuthnRequest sent, waiting for its Response (as long as an interaction lives). */
export const AUTHN_REQUEST_TTL_SECONDS = 600;
/** The hop from the ACS (cross-site POST) to the continue page (same-site GET) takes a redirect. */
export const CONTINUE_TTL_SECONDS = 60;

export interface PendingRequest {
  interactionId: string;
  connectionId: string;
  tenantId: string;
}

/** A verified sign-in waiting for the browser to come back with its binding cookie. */
export interface VerifiedSignIn {
  tenantId: string;
  connectionId: string;
  /** Absent for an IdP-initiated sign-in. */
  interactionId?: string;
  identity: FederatedIdentity;
}

/** An SP-initiated LogoutRequest sent to the IdP, waiting for its LogoutResponse (under the RelayState token). */
export interface PendingLogout {
  tenantId: string;
  connectionId: string;
  requestId: string;
  /** Where the browser goes afterwards: validated when the logout started. */
  after: AfterLogout;
}

/** The SAML state every process shares, in Redis: pending requests, seen assertion ids, continue tokens. */
@Injectable()
export class SamlState {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async rememberRequest(requestId: string, pending: PendingRequest): Promise<void> {
    await this.guard(this.redis.set(this.key('request', requestId), JSON.stringify(pending), 'EX', AUTHN_REQUEST_TTL_SECONDS));
  }

  /** The request this id names, removed in the same step (GETDEL): one Response per request, whoever races. */
  async takeRequest(requestId: string): Promise<PendingRequest | undefined> {
    if (requestId.length > 128) return undefined;
    const raw = await this.guard(this.redis.getdel(this.key('request', requestId)));
    return raw ? (JSON.parse(raw) as PendingRequest) : undefined;
  }

  /** True the first time an assertion id is seen for this connection; remembered until the assertion expires. */
  async firstUse(tenantId: string, connectionId: string, assertionId: string, validUntil: number): Promise<boolean> {
    const seconds = Math.max(1, Math.ceil((validUntil - Date.now()) / 1000));
    const set = await this.guard(this.redis.set(this.key('assertion', `${tenantId}:${connectionId}:${assertionId}`), '1', 'EX', seconds, 'NX'));
    return set === 'OK';
  }

  async holdSignIn(signIn: VerifiedSignIn): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.guard(this.redis.set(this.key('continue', token), JSON.stringify(signIn), 'EX', CONTINUE_TTL_SECONDS));
    return token;
  }

  async takeSignIn(token: string): Promise<VerifiedSignIn | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const raw = await this.guard(this.redis.getdel(this.key('continue', token)));
    return raw ? (JSON.parse(raw) as VerifiedSignIn) : undefined;
  }

  /** Remembers a LogoutRequest under a fresh one-time token (its RelayState). */
  async rememberLogout(pending: PendingLogout): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.guard(this.redis.set(this.key('logout', token), JSON.stringify(pending), 'EX', AUTHN_REQUEST_TTL_SECONDS));
    return token;
  }

  /** The logout this RelayState token names, removed in the same step: one LogoutResponse per request. */
  async takeLogout(token: string): Promise<PendingLogout | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const raw = await this.guard(this.redis.getdel(this.key('logout', token)));
    return raw ? (JSON.parse(raw) as PendingLogout) : undefined;
  }

  private key(kind: string, id: string): string {
    return `${this.config.REDIS_PREFIX}:saml:${kind}:${id}`;
  }

  private async guard<T>(op: Promise<T>): Promise<T> {
    try {
      return await op;
    } catch {
      throw new DomainError('service.unavailable');
    }
  }
}
