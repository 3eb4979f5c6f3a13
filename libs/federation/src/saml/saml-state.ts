import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import { REDIS, redisScript, RedisScript } from '@credence/redis';
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

/** A verified assertion, as the ACS hands it over (acceptAssertion). */
export interface VerifiedAssertion {
  tenantId: string;
  connectionId: string;
  assertionId: string;
  /** Epoch ms: the assertion id is remembered until then. */
  validUntil: number;
  /** The AuthnRequest it answers; absent for an IdP-initiated Response. */
  inResponseTo?: string;
  identity: FederatedIdentity;
}

export type AssertionOutcome = { kind: 'held'; token: string } | { kind: 'replayed' } | { kind: 'request_unknown' };

/**
 * The ACS's three steps in one atomic round trip: the assertion id's first-use mark (SET NX), the
 * AuthnRequest it answers taken (GETDEL) and matched with the tenant and connection, then the verified
 * sign-in held under a continue token. The held value is the sign-in's JSON with the interaction id
 * spliced in before its closing brace: decoding and re-encoding it in Lua would turn an empty list
 * into an object.
 */
const ACCEPT = `
if not redis.call('SET', KEYS[1], '1', 'EX', ARGV[1], 'NX') then return 'replayed' end
local held = ARGV[5]
if ARGV[2] == '1' then
  local raw = redis.call('GETDEL', KEYS[2])
  if not raw then return 'request_unknown' end
  local ok, pending = pcall(cjson.decode, raw)
  if not ok or type(pending) ~= 'table' or pending.tenantId ~= ARGV[3] or pending.connectionId ~= ARGV[4] or type(pending.interactionId) ~= 'string' then
    return 'request_unknown'
  end
  held = string.sub(held, 1, -2) .. ',"interactionId":' .. cjson.encode(pending.interactionId) .. '}'
end
redis.call('SET', KEYS[3], held, 'EX', ARGV[6])
return 'held'`;

const REQUEST_ID_MAX = 128;

const secondsUntil = (epochMs: number) => Math.max(1, Math.ceil((epochMs - Date.now()) / 1000));

/** The SAML state every process shares, in Redis: pending requests, seen assertion ids, continue tokens. */
@Injectable()
export class SamlState {
  private readonly acceptScript: RedisScript<string>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.acceptScript = redisScript(redis, 'samlAcceptAssertion', 3, ACCEPT);
  }

  async rememberRequest(requestId: string, pending: PendingRequest): Promise<void> {
    await this.guard(this.redis.set(this.key('request', requestId), JSON.stringify(pending), 'EX', AUTHN_REQUEST_TTL_SECONDS));
  }

  /**
   * An assertion is accepted once (its id remembered until it expires), and answers its AuthnRequest
   * once, whoever races (the request is removed as it is read). Accepted, the sign-in waits under the
   * returned token for the continue step.
   */
  async acceptAssertion(a: VerifiedAssertion): Promise<AssertionOutcome> {
    if (a.inResponseTo !== undefined && (!a.inResponseTo || a.inResponseTo.length > REQUEST_ID_MAX)) return { kind: 'request_unknown' };
    const token = randomBytes(32).toString('base64url');
    const signIn: Omit<VerifiedSignIn, 'interactionId'> = { tenantId: a.tenantId, connectionId: a.connectionId, identity: a.identity };
    const outcome = await this.guard(
      this.acceptScript(
        this.assertionKey(a.tenantId, a.connectionId, a.assertionId),
        this.key('request', a.inResponseTo ?? ''),
        this.key('continue', token),
        secondsUntil(a.validUntil),
        a.inResponseTo === undefined ? '0' : '1',
        a.tenantId,
        a.connectionId,
        JSON.stringify(signIn),
        CONTINUE_TTL_SECONDS,
      ),
    );
    if (outcome === 'held') return { kind: 'held', token };
    return outcome === 'replayed' ? { kind: 'replayed' } : { kind: 'request_unknown' };
  }

  /** True the first time an assertion id is seen for this connection; remembered until the assertion expires. */
  async firstUse(tenantId: string, connectionId: string, assertionId: string, validUntil: number): Promise<boolean> {
    const set = await this.guard(this.redis.set(this.assertionKey(tenantId, connectionId, assertionId), '1', 'EX', secondsUntil(validUntil), 'NX'));
    return set === 'OK';
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

  private assertionKey(tenantId: string, connectionId: string, assertionId: string): string {
    return this.key('assertion', `${tenantId}:${connectionId}:${assertionId}`);
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
