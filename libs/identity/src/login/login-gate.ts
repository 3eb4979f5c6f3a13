import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { TenantRef } from '@credence/context';
import { DomainError } from '@credence/errors';
import { AccountLockout, FAILURE_LIMIT, FAILURE_WINDOW_SECONDS, RESERVE } from './account-lockout';
import { LimiterScript, RateLimiter } from './rate-limiter';

/*
 * KEYS: the subject's attempts hash and lock key (AccountLockout's RESERVE), then the per-IP counter.
 * ARGV: failure limit, failure window (RESERVE's), then the IP limit and its window.
 * Returns {1, seconds} when the IP limit is exceeded (nothing reserved), else {0, RESERVE's answer}.
 */
const GATE = `
local count = redis.call('INCR', KEYS[3])
local ttl = redis.call('TTL', KEYS[3])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[3], ARGV[4])
  ttl = tonumber(ARGV[4])
end
if count > tonumber(ARGV[3]) then return {1, ttl} end
local function reserve()
${RESERVE}
end
return {0, reserve()}`;

/**
 * A sign-in's way in, in one Redis round trip (one script, atomic) instead of two: the attempt counts
 * against the client address's per-minute limit (the same counter RateLimiter.enforce uses) and, when the
 * limit is not exceeded, one attempt is reserved against the subject's lockout budget (the same script
 * AccountLockout.reserve runs; settle it with AccountLockout as usual). Fails closed: 503 when Redis cannot
 * run it. (Like RESERVE, it names keys of several hash slots: one Redis, or a cluster with hash tags.)
 */
@Injectable()
export class LoginGate {
  private readonly gate: LimiterScript<[number, number]>;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly lockout: AccountLockout,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.gate = limiter.define(GATE, 3);
  }

  /**
   * Throws 429 auth.rate_limited (Retry-After) past the IP limit. Otherwise returns 0 when the attempt is
   * reserved, or the seconds to wait when the subject is locked or its budget spent (nothing reserved).
   */
  async enter(tenant: TenantRef, ip: string | null | undefined, subject: string): Promise<number> {
    const keys = [...this.lockout.keys(tenant, subject), this.limiter.key('login-ip', tenant.id, ip ?? 'unknown')];
    const [limited, seconds] = await this.gate(keys, [FAILURE_LIMIT, FAILURE_WINDOW_SECONDS, this.config.LOGIN_IP_LIMIT_PER_MINUTE, 60]);
    if (limited === 1) throw new DomainError('auth.rate_limited', undefined, undefined, { 'Retry-After': String(Math.max(1, seconds)) });
    return seconds;
  }
}
