import { Injectable } from '@nestjs/common';
import { countOf, eachBatch, RegisterRetentionRule, RetentionInput, RetentionRule, RulePass, purgeStatement } from '@credence/tenancy';

/** A rule that deletes the rows of `table` whose `expires_at` is before the run's as-of time. */
function purgeExpired(table: string, key: string) {
  const sql = purgeStatement(table, key, 'expires_at < $1');
  return (i: RetentionInput): RulePass => eachBatch(i.limit, (uow) => countOf(uow, sql, [i.asOf, i.limit]));
}

const purgeOtpCodes = purgeExpired('otp_codes', 'id');
const purgeRefreshTokens = purgeExpired('refresh_tokens', 'id');
const purgeRevocations = purgeExpired('revoked_access_tokens', 'jti');

/** One-time codes past their expiry. */
@Injectable()
@RegisterRetentionRule()
export class PurgeExpiredOtpCodes implements RetentionRule {
  readonly name = 'otp_codes_purged';
  readonly scope = 'tenant';
  readonly order = 40;
  start = purgeOtpCodes;
}

/** Refresh tokens past their expiry. */
@Injectable()
@RegisterRetentionRule()
export class PurgeExpiredRefreshTokens implements RetentionRule {
  readonly name = 'refresh_tokens_purged';
  readonly scope = 'tenant';
  readonly order = 50;
  start = purgeRefreshTokens;
}

/** Revocations of access tokens that have expired anyway. */
@Injectable()
@RegisterRetentionRule()
export class PurgeExpiredRevocations implements RetentionRule {
  readonly name = 'revocations_purged';
  readonly scope = 'tenant';
  readonly order = 60;
  start = purgeRevocations;
}

const purgeTombstones = (i: RetentionInput): RulePass =>
  eachBatch(i.limit, (uow) => countOf(uow, purgeStatement('revoked_session_tombstones', 'session_id', 'keep_until < $1'), [i.asOf, i.limit]));

/** Tombstones of deleted sessions whose last token has expired: the revocation rebuild no longer needs them. */
@Injectable()
@RegisterRetentionRule()
export class PurgeExpiredSessionTombstones implements RetentionRule {
  readonly name = 'session_tombstones_purged';
  readonly scope = 'tenant';
  readonly order = 65;
  start = purgeTombstones;
}

const purgeBrowserSessions = purgeStatement('browser_sessions', 'id', "(absolute_expires_at < $1 OR idle_expires_at < $1 OR (status = 'ended' AND ended_at < $1))");

/** Browser sessions (the OpenID Provider's single sign-on) that expired or ended: nothing can use them again. App sessions started from one keep going; their link becomes null. */
@Injectable()
@RegisterRetentionRule()
export class PurgeEndedBrowserSessions implements RetentionRule {
  readonly name = 'browser_sessions_purged';
  readonly scope = 'tenant';
  readonly order = 70;
  start = (i: RetentionInput): RulePass => eachBatch(i.limit, (uow) => countOf(uow, purgeBrowserSessions, [i.asOf, i.limit]));
}
