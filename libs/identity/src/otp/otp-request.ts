import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext, TenantRef } from '@credence/context';
import { subjects } from '@credence/contracts';
import { TenantTransactionRunner } from '@credence/tenancy';
import { addressBucket } from '../login/address-bucket';
import { RateLimiter } from '../login/rate-limiter';
import { ClientInfo } from '../sessions/client-info';
import { OtpCodes, OTP_TTL_SECONDS } from './otp-codes';
import { OtpDecoys } from './otp-decoys';
import { destinationKey, findOtpUser, OtpDestination } from './otp-destination';
import { OtpDelivery } from './senders/otp-delivery';

/** Resend limits per destination (whether or not it has an account, so a 429 reveals nothing). */
export const OTP_RESEND_INTERVAL_SECONDS = 30;
export const OTP_REQUESTS_PER_HOUR = 5;

/**
 * Issues a one-time code. The answer is the same whether or not the destination has an account:
 * limits are counted first and identically, and sending happens after the answer is decided.
 */
@Injectable()
export class OtpRequest {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly limiter: RateLimiter,
    private readonly codes: OtpCodes,
    private readonly decoys: OtpDecoys,
    private readonly delivery: OtpDelivery,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** For the tenant in context. */
  async request(destination: OtpDestination, client: ClientInfo): Promise<void> {
    const tenant = this.context.requireTenant();
    await this.enforceLimits(tenant, destination, client);
    const issued = await this.runner.inTenant(async (uow) => {
      const user = await findOtpUser(uow, destination, true);
      if (!user || user.status !== 'active' || user.locked_for > 0) return undefined;
      const to = destination.channel === 'email' ? user.email : user.phone!;
      // A new code supersedes every older one of the user.
      await uow.query(`UPDATE otp_codes SET consumed_at = now() WHERE user_id = $1 AND consumed_at IS NULL`, [user.id]);
      const code = this.codes.generate();
      const [row] = await uow.query<{ expires_at: Date }[]>(
        `INSERT INTO otp_codes (id, user_id, channel, code_hash, expires_at, created_at)
         VALUES ($1, $2, $3, $4, clock_timestamp() + make_interval(secs => $5), clock_timestamp()) RETURNING expires_at`,
        [uuidv7(), user.id, destination.channel, this.codes.hash(tenant.id, user.id, code), OTP_TTL_SECONDS],
      );
      uow.emit('auth.otp.requested', subjects.user(user.id), { user_id: user.id, channel: destination.channel, expires_at: row.expires_at.toISOString() });
      return { userId: user.id, to, code, expiresAt: row.expires_at };
    });
    if (!issued) return this.decoys.plant(tenant, destination);
    await this.decoys.remove(tenant, destination);
    this.delivery.dispatch({ channel: destination.channel, to: issued.to, code: issued.code, expiresAt: issued.expiresAt, tenantSlug: tenant.slug }, issued.userId);
  }

  private async enforceLimits(tenant: TenantRef, destination: OtpDestination, client: ClientInfo): Promise<void> {
    const dest = destinationKey(destination);
    await this.limiter.enforce(this.limiter.key('otp-request-ip', tenant.id, addressBucket(client.ip)), this.config.LOGIN_IP_LIMIT_PER_MINUTE, 60);
    await this.limiter.enforce(this.limiter.key('otp-resend', tenant.id, dest), 1, OTP_RESEND_INTERVAL_SECONDS);
    await this.limiter.enforce(this.limiter.key('otp-hourly', tenant.id, dest), OTP_REQUESTS_PER_HOUR, 3600);
  }
}
