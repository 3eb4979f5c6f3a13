import { Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { OtpController } from './otp.controller';
import { OtpCodes } from './otp-codes';
import { OtpDecoys } from './otp-decoys';
import { OtpRequest } from './otp-request';
import { OtpVerify } from './otp-verify';
import { LogOtpSender } from './senders/log-otp-sender';
import { OtpDelivery } from './senders/otp-delivery';
import { OtpSender } from './senders/otp-sender';
import { SmtpOtpSender } from './senders/smtp-otp-sender';

export const OTP_CONTROLLERS = [OtpController];

/** One-time code sign-in; the sender follows OTP_SENDER (config refuses `log` in production). */
export const OTP_PROVIDERS: Provider[] = [
  OtpCodes,
  OtpDecoys,
  OtpRequest,
  OtpVerify,
  OtpDelivery,
  LogOtpSender,
  {
    provide: OtpSender,
    inject: [APP_CONFIG, LogOtpSender],
    useFactory: (config: AppConfig, log: LogOtpSender): OtpSender => (config.OTP_SENDER === 'smtp' ? new SmtpOtpSender(config.SMTP_URL!, config.SMTP_FROM) : log),
  },
];
