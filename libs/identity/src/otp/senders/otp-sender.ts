import type { OtpChannel } from '../otp-destination';

export interface OtpMessage {
  channel: OtpChannel;
  /** The address or number on the user's account. */
  to: string;
  code: string;
  expiresAt: Date;
  tenantSlug: string;
}

/**
 * Delivers one-time codes. Also the injection token: the provider picks the implementation from
 * OTP_SENDER. An implementation must never log or emit the code (the development sender excepted).
 */
export abstract class OtpSender {
  abstract sendEmail(message: OtpMessage): Promise<void>;
  abstract sendSms(message: OtpMessage): Promise<void>;
}

export function otpText(m: OtpMessage): string {
  const minutes = Math.max(1, Math.round((m.expiresAt.getTime() - Date.now()) / 60_000));
  return `Your sign-in code for ${m.tenantSlug} is ${m.code}.\nIt expires in ${minutes} minutes. If you did not ask for it, ignore this message.\n`;
}
