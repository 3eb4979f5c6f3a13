import { Inject, Injectable } from '@nestjs/common';
import { createHmac, hkdfSync, randomInt, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@credence/config';

export const OTP_DIGITS = 6;
export const OTP_TTL_SECONDS = 300;
export const OTP_MAX_ATTEMPTS = 5;

/**
 * Six-digit one-time codes, stored as HMAC-SHA-256 under a key derived (HKDF) from
 * CREDENCE_KEY_ENCRYPTION_KEY. A million candidates are enumerable offline from any unkeyed hash,
 * argon2 included (10^6 × ~20 ms is a few CPU-hours); the MAC cannot be checked without the KEK,
 * which never sits in the database, and costs microseconds, so it stays off argon2's thread pool.
 * The MAC covers tenant and user, so a hash copied to another row never verifies.
 */
@Injectable()
export class OtpCodes {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const kek = Buffer.from(config.CREDENCE_KEY_ENCRYPTION_KEY, 'base64');
    this.key = Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), 'credence otp-code mac v1', 32));
  }

  generate(): string {
    return randomInt(0, 10 ** OTP_DIGITS)
      .toString()
      .padStart(OTP_DIGITS, '0');
  }

  hash(tenantId: string, userId: string, code: string): Buffer {
    return createHmac('sha256', this.key).update(`${tenantId}:${userId}:${code}`).digest();
  }

  matches(stored: Buffer, tenantId: string, userId: string, code: string): boolean {
    const candidate = this.hash(tenantId, userId, code);
    return stored.length === candidate.length && timingSafeEqual(stored, candidate);
  }
}
