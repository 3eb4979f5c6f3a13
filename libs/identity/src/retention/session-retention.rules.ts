import { Injectable } from '@nestjs/common';
import { countOf, cutoff, eachBatch, RegisterRetentionRule, RetentionInput, RetentionRule, RulePass, purgeStatement } from '@credence/tenancy';
import { SessionAnonymisation } from './anonymise-sessions';

const DELETE_SESSIONS = purgeStatement('auth_sessions', 'id', 'last_seen_at < $1');

/**
 * Sessions inactive past session_delete_after_days are deleted (their refresh tokens go with them,
 * by cascade). It runs before anonymisation, so no session is anonymised only to be deleted in the
 * same run.
 */
@Injectable()
@RegisterRetentionRule()
export class DeleteInactiveSessions implements RetentionRule {
  readonly name = 'sessions_deleted';
  readonly scope = 'tenant';
  readonly order = 10;
  readonly parallel = true;

  start(i: RetentionInput): RulePass {
    return eachBatch(i.limit, (uow) => countOf(uow, DELETE_SESSIONS, [cutoff(i.asOf, i.settings.session_delete_after_days), i.limit]));
  }
}

/** Sessions inactive past session_anonymize_after_days are anonymised (see SessionAnonymisation). */
@Injectable()
@RegisterRetentionRule()
export class AnonymiseInactiveSessions implements RetentionRule {
  readonly name = 'sessions_anonymised';
  readonly scope = 'tenant';
  readonly order = 20;
  readonly parallel = true;

  start(i: RetentionInput): RulePass {
    return new SessionAnonymisation(cutoff(i.asOf, i.settings.session_anonymize_after_days), i.limit);
  }
}
