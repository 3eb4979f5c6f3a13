import { Injectable, Logger } from '@nestjs/common';
import { OtpMessage, OtpSender } from './otp-sender';

const REMEMBERED = 1000;

/**
 * Development sender (OTP_SENDER=log, refused in production): writes each code to the log and keeps
 * the last one per destination in memory, for local sign-in and for tests. Both channels "arrive"
 * here; nothing leaves the machine.
 */
@Injectable()
export class LogOtpSender extends OtpSender {
  private readonly logger = new Logger('OtpSender');
  private readonly sent = new Map<string, OtpMessage>();

  sendEmail(message: OtpMessage): Promise<void> {
    this.record(message);
    return Promise.resolve();
  }

  sendSms(message: OtpMessage): Promise<void> {
    this.record(message);
    return Promise.resolve();
  }

  /** The last message sent to an address or number (case-insensitive), if this process sent one. */
  lastSent(to: string): OtpMessage | undefined {
    return this.sent.get(to.toLowerCase());
  }

  // Synchronous on purpose: the message is readable as soon as the request that caused it has answered.
  private record(message: OtpMessage): void {
    const key = message.to.toLowerCase();
    this.sent.delete(key);
    this.sent.set(key, message);
    if (this.sent.size > REMEMBERED) this.sent.delete(this.sent.keys().next().value!);
    this.logger.log(`one-time code for ${message.to} (${message.channel}, tenant ${message.tenantSlug}): ${message.code}`);
  }
}
