import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { OtpMessage, OtpSender } from './otp-sender';

/**
 * Hands a code to the sender without waiting for it, so an SMTP round trip never shows in the
 * request's timing (which would tell an existing account from a missing one). Failures are logged
 * without the code; shutdown waits for sends in flight.
 */
@Injectable()
export class OtpDelivery implements OnApplicationShutdown {
  private readonly logger = new Logger('OtpDelivery');
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly sender: OtpSender) {}

  dispatch(message: OtpMessage, userId: string): void {
    const send = message.channel === 'email' ? this.sender.sendEmail(message) : this.sender.sendSms(message);
    const tracked: Promise<void> = send
      .catch((err: { code?: string; responseCode?: number }) => {
        this.logger.error({ user_id: userId, channel: message.channel, code: err?.code, response_code: err?.responseCode }, 'one-time code could not be sent');
      })
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}
