import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import { REDIS } from '@credence/redis';

/** As long as the interaction it serves lives. */
export const OIDC_STATE_TTL_SECONDS = 600;
/** openid-client's randomState(): 32 random bytes, base64url. */
const STATE = /^[A-Za-z0-9_-]{43}$/;

/** What the callback needs to finish a sign-in that the starter sent to the IdP: kept server side, never in the URL. */
export interface PendingOidcLogin {
  tenantId: string;
  connectionId: string;
  interactionId: string;
  nonce: string;
  codeVerifier: string;
}

/** The OIDC sign-ins in flight, in Redis (every process shares them), under their `state`, each taken once. */
@Injectable()
export class OidcState {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async remember(state: string, pending: PendingOidcLogin): Promise<void> {
    await this.guard(this.redis.set(this.key(state), JSON.stringify(pending), 'EX', OIDC_STATE_TTL_SECONDS));
  }

  /** The sign-in this state names, removed in the same step (GETDEL): a replayed callback finds nothing. */
  async take(state: unknown): Promise<PendingOidcLogin | undefined> {
    if (typeof state !== 'string' || !STATE.test(state)) return undefined;
    const raw = await this.guard(this.redis.getdel(this.key(state)));
    return raw ? (JSON.parse(raw) as PendingOidcLogin) : undefined;
  }

  private key(state: string): string {
    return `${this.config.REDIS_PREFIX}:oidc:state:${state}`;
  }

  private async guard<T>(op: Promise<T>): Promise<T> {
    try {
      return await op;
    } catch {
      throw new DomainError('service.unavailable');
    }
  }
}
