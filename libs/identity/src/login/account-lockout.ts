import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { TenantRef } from '@credence/context';
import { DomainError } from '@credence/errors';
import { LimiterScript, RateLimiter } from './rate-limiter';

export const FAILURE_LIMIT = 5;
export const FAILURE_WINDOW_SECONDS = 600;

/*
 * One hash per subject holds `pending` (attempts reserved and being verified) and `failed` (failures
 * in the window). A reservation is refused while pending + failed has reached the limit, so however
 * many attempts arrive at once, in however many processes, at most FAILURE_LIMIT passwords are
 * checked before the lock. Each script runs atomically in Redis.
 */

/** Returns 0 when the attempt may be verified, otherwise the seconds to wait (locked, or the budget is spent or in flight). */
export const RESERVE = `
local locked = redis.call('TTL', KEYS[2])
if locked > 0 then return locked end
local counts = redis.call('HMGET', KEYS[1], 'pending', 'failed')
if (tonumber(counts[1]) or 0) + (tonumber(counts[2]) or 0) >= tonumber(ARGV[1]) then
  local left = redis.call('TTL', KEYS[1])
  if left > 0 then return left end
  return 1
end
redis.call('HINCRBY', KEYS[1], 'pending', 1)
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/*
 * The client's rate limit and the reservation in one round trip. KEYS[3] is the rate-limit window
 * (ARGV[3] hits per ARGV[4] seconds), counted first as RateLimiter.hit counts it; past the limit the
 * answer is {1, seconds until the window ends} and nothing is reserved. ARGV[5] is a lock the caller
 * already knows of (seconds, from Postgres): then {0, it}, unreserved. Otherwise {0, RESERVE's answer}.
 */
const ADMIT = `
local hits = redis.call('INCR', KEYS[3])
local resets = redis.call('TTL', KEYS[3])
if resets < 0 then redis.call('EXPIRE', KEYS[3], ARGV[4]) resets = tonumber(ARGV[4]) end
if hits > tonumber(ARGV[3]) then return {1, resets} end
if tonumber(ARGV[5]) > 0 then return {0, tonumber(ARGV[5])} end
local reserved = (function()${RESERVE}
end)()
return {0, reserved}`;

const UNRESERVE = `if (tonumber(redis.call('HGET', KEYS[1], 'pending')) or 0) > 0 then redis.call('HINCRBY', KEYS[1], 'pending', -1) end`;

/** Settles a reservation as a failure; the failure that reaches the limit sets the lock. Returns {failures, locked}. */
const FAIL = `${UNRESERVE}
local failed = redis.call('HINCRBY', KEYS[1], 'failed', 1)
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if failed < tonumber(ARGV[1]) then return {failed, 0} end
redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
redis.call('HSET', KEYS[1], 'failed', 0)
return {failed, 1}`;

/** Settles a reservation as a success: the failures are forgotten, attempts still in flight stay counted. */
const SUCCEED = `${UNRESERVE}
if (tonumber(redis.call('HGET', KEYS[1], 'pending')) or 0) > 0 then redis.call('HSET', KEYS[1], 'failed', 0) else redis.call('DEL', KEYS[1]) end
return 0`;

/** Settles a reservation that proved nothing (a disabled account, an error): it stops counting. */
const RELEASE = `${UNRESERVE}
return 0`;

/**
 * Failed-attempt counting: reserve before verifying, settle after. The caller names the subject:
 * the account when one matched (so its e-mail and username share one budget), otherwise what was
 * typed, so an identifier with no account locks exactly like a real one and lockout reveals
 * nothing. Subjects are stored hashed.
 */
@Injectable()
export class AccountLockout {
  private readonly scripts: {
    admit: LimiterScript<[number, number]>;
    reserve: LimiterScript<number>;
    fail: LimiterScript<[number, number]>;
    succeed: LimiterScript<number>;
    release: LimiterScript<number>;
  };

  constructor(private readonly limiter: RateLimiter) {
    this.scripts = {
      admit: limiter.define(ADMIT, 3),
      reserve: limiter.define(RESERVE, 2),
      fail: limiter.define(FAIL, 2),
      succeed: limiter.define(SUCCEED, 2),
      release: limiter.define(RELEASE, 2),
    };
  }

  /** The subject's attempts hash and lock key, in that order (the order RESERVE's KEYS take). */
  keys(tenant: TenantRef, subject: string): string[] {
    const id = createHash('sha256').update(subject).digest('hex').slice(0, 32);
    return [this.limiter.key('login-attempts', tenant.id, id), this.limiter.key('login-lock', tenant.id, id)];
  }

  /**
   * The rate limit of `rate.key`, then the reservation, in one Redis round trip: throws 429
   * auth.rate_limited past the limit (nothing reserved); with `knownLock` (seconds of a lock read
   * elsewhere) > 0 returns it without reserving; otherwise as reserve().
   */
  async admit(tenant: TenantRef, subject: string, rate: { key: string; limit: number; windowSeconds: number }, knownLock = 0): Promise<number> {
    const [limited, seconds] = await this.scripts.admit(
      [...this.keys(tenant, subject), rate.key],
      [FAILURE_LIMIT, FAILURE_WINDOW_SECONDS, rate.limit, rate.windowSeconds, knownLock],
    );
    if (limited) throw new DomainError('auth.rate_limited', undefined, undefined, { 'Retry-After': String(Math.max(1, seconds)) });
    return seconds;
  }

  /** Reserves one attempt: 0 when the password may be checked, otherwise the seconds for Retry-After. */
  reserve(tenant: TenantRef, subject: string): Promise<number> {
    return this.scripts.reserve(this.keys(tenant, subject), [FAILURE_LIMIT, FAILURE_WINDOW_SECONDS]);
  }

  /** Settles a reservation as a failure; locks the account when this one reaches the limit. */
  async recordFailure(tenant: TenantRef, subject: string, lockSeconds: number): Promise<{ failures: number; locked: boolean }> {
    const [failures, locked] = await this.scripts.fail(this.keys(tenant, subject), [FAILURE_LIMIT, FAILURE_WINDOW_SECONDS, lockSeconds]);
    return { failures, locked: locked === 1 };
  }

  /** Settles a reservation as a success: the count starts again. */
  async clear(tenant: TenantRef, subject: string): Promise<void> {
    await this.scripts.succeed(this.keys(tenant, subject), []).catch(() => undefined);
  }

  /** Gives a reservation back without counting it. */
  async release(tenant: TenantRef, subject: string): Promise<void> {
    await this.scripts.release(this.keys(tenant, subject), []).catch(() => undefined);
  }
}
