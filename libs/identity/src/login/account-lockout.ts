import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { TenantRef } from '@credence/context';
import { RateLimiter } from './rate-limiter';

export const FAILURE_LIMIT = 5;
export const FAILURE_WINDOW_SECONDS = 600;

/**
 * Failed-attempt counting per account. Keyed by what was typed (hashed), not by user id, so an
 * identifier with no account locks exactly like a real one and lockout reveals nothing.
 */
@Injectable()
export class AccountLockout {
  constructor(private readonly limiter: RateLimiter) {}

  private keys(tenant: TenantRef, identifier: string) {
    const id = createHash('sha256').update(identifier.trim().toLowerCase()).digest('hex').slice(0, 32);
    return { failures: this.limiter.key('login-failures', tenant.id, id), lock: this.limiter.key('login-lock', tenant.id, id) };
  }

  /** Seconds the account stays locked, or 0. */
  async lockedFor(tenant: TenantRef, identifier: string): Promise<number> {
    return Math.max(0, await this.limiter.ttl(this.keys(tenant, identifier).lock));
  }

  /** Records a failure; locks the account when this one reaches the limit. */
  async recordFailure(tenant: TenantRef, identifier: string, lockSeconds: number): Promise<{ failures: number; locked: boolean }> {
    const keys = this.keys(tenant, identifier);
    const { count } = await this.limiter.hit(keys.failures, FAILURE_WINDOW_SECONDS);
    if (count < FAILURE_LIMIT) return { failures: count, locked: false };
    await this.limiter.set(keys.lock, lockSeconds);
    await this.limiter.clear(keys.failures);
    return { failures: count, locked: true };
  }

  async clear(tenant: TenantRef, identifier: string): Promise<void> {
    await this.limiter.clear(this.keys(tenant, identifier).failures);
  }
}
