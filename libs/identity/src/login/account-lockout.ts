import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { TenantRef } from '@credence/context';
import { RateLimiter } from './rate-limiter';

export const FAILURE_LIMIT = 5;
export const FAILURE_WINDOW_SECONDS = 600;

/**
 * Failed-attempt counting. The caller names the subject: the account when one matched (so its
 * e-mail and username share one budget), otherwise what was typed, so an identifier with no
 * account locks exactly like a real one and lockout reveals nothing. Subjects are stored hashed.
 */
@Injectable()
export class AccountLockout {
  constructor(private readonly limiter: RateLimiter) {}

  private keys(tenant: TenantRef, subject: string) {
    const id = createHash('sha256').update(subject).digest('hex').slice(0, 32);
    return { failures: this.limiter.key('login-failures', tenant.id, id), lock: this.limiter.key('login-lock', tenant.id, id) };
  }

  /** Seconds the account stays locked, or 0. */
  async lockedFor(tenant: TenantRef, subject: string): Promise<number> {
    return Math.max(0, await this.limiter.ttl(this.keys(tenant, subject).lock));
  }

  /** Records a failure; locks the account when this one reaches the limit. */
  async recordFailure(tenant: TenantRef, subject: string, lockSeconds: number): Promise<{ failures: number; locked: boolean }> {
    const keys = this.keys(tenant, subject);
    const { count } = await this.limiter.hit(keys.failures, FAILURE_WINDOW_SECONDS);
    if (count < FAILURE_LIMIT) return { failures: count, locked: false };
    await this.limiter.set(keys.lock, lockSeconds);
    await this.limiter.clear(keys.failures);
    return { failures: count, locked: true };
  }

  async clear(tenant: TenantRef, subject: string): Promise<void> {
    await this.limiter.clear(this.keys(tenant, subject).failures);
  }
}
