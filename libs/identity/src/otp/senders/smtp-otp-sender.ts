import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { OtpMessage, OtpSender, otpText } from './otp-sender';

/**
 * How long a send may wait on the mail server. nodemailer's own defaults (2 minutes to connect, 10
 * minutes of silence) would let a stalled server pile sends up in memory and hold shutdown for
 * minutes, long after the code inside has expired. A `?socketTimeout=` (etc.) on SMTP_URL wins.
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

/**
 * Production sender (OTP_SENDER=smtp): e-mail through SMTP_URL from SMTP_FROM. No SMS provider is
 * wired yet, so a code for a phone number is not sent; the request still answers 202.
 */
export class SmtpOtpSender extends OtpSender implements OnApplicationShutdown {
  private readonly logger = new Logger('OtpSender');
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    timeouts: Partial<Record<keyof typeof SMTP_TIMEOUTS, number>> = SMTP_TIMEOUTS,
  ) {
    super();
    this.transport = createTransport({ ...SMTP_TIMEOUTS, ...timeouts, url: smtpUrl });
  }

  async sendEmail(m: OtpMessage): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: m.to, subject: `Your sign-in code for ${m.tenantSlug}`, text: otpText(m) });
  }

  sendSms(m: OtpMessage): Promise<void> {
    this.logger.warn(`no SMS provider is configured: a one-time code for a phone number (tenant ${m.tenantSlug}) was not sent`);
    return Promise.resolve();
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
