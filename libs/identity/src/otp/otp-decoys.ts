import { Injectable } from '@nestjs/common';
import { TenantRef } from '@credence/context';
import { DomainError } from '@credence/errors';
import { RateLimiter } from '../login/rate-limiter';
import { OTP_MAX_ATTEMPTS, OTP_TTL_SECONDS } from './otp-codes';
import { destinationKey, OtpDestination } from './otp-destination';

/**
 * When a request sends no code (no such account, or one that may not sign in), a decoy stands in
 * for it in Redis: guesses against it answer auth.otp.invalid up to the attempt limit and
 * auth.otp.expired after, exactly like a real code, so verify tells nobody whether an account exists.
 */
@Injectable()
export class OtpDecoys {
  constructor(private readonly limiter: RateLimiter) {}

  private keys(tenant: TenantRef, d: OtpDestination) {
    const id = destinationKey(d);
    return { decoy: this.limiter.key('otp-decoy', tenant.id, id), attempts: this.limiter.key('otp-decoy-attempts', tenant.id, id) };
  }

  async plant(tenant: TenantRef, d: OtpDestination): Promise<void> {
    const keys = this.keys(tenant, d);
    await this.limiter.clear(keys.attempts);
    await this.limiter.set(keys.decoy, OTP_TTL_SECONDS);
  }

  async remove(tenant: TenantRef, d: OtpDestination): Promise<void> {
    await this.limiter.clear(this.keys(tenant, d).decoy);
  }

  async isPlanted(tenant: TenantRef, d: OtpDestination): Promise<boolean> {
    return (await this.limiter.ttl(this.keys(tenant, d).decoy)) > 0;
  }

  /** Counts a guess against the decoy and throws what a real code would answer. */
  async refuse(tenant: TenantRef, d: OtpDestination): Promise<never> {
    const { count } = await this.limiter.hit(this.keys(tenant, d).attempts, OTP_TTL_SECONDS);
    throw new DomainError(count <= OTP_MAX_ATTEMPTS ? 'auth.otp.invalid' : 'auth.otp.expired');
  }
}
