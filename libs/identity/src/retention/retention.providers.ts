import { Provider } from '@nestjs/common';
import { PurgeEndedBrowserSessions, PurgeExpiredOtpCodes, PurgeExpiredRefreshTokens, PurgeExpiredRevocations, PurgeExpiredSessionTombstones } from './expired-credentials.rules';
import { AnonymiseInactiveSessions, DeleteInactiveSessions } from './session-retention.rules';

/** Identity's retention rules: its own tables (sessions, one-time codes, refresh tokens, revocations), run by the audit lib's retention runner. */
export const RETENTION_RULE_PROVIDERS: Provider[] = [
  DeleteInactiveSessions,
  AnonymiseInactiveSessions,
  PurgeExpiredOtpCodes,
  PurgeExpiredRefreshTokens,
  PurgeExpiredRevocations,
  PurgeExpiredSessionTombstones,
  PurgeEndedBrowserSessions,
];
