import { Injectable } from '@nestjs/common';
import { countOf, cutoff, eachBatch, RegisterRetentionRule, RetentionInput, RetentionRule, RulePass } from '@credence/tenancy';

/** How long the record of retention runs is kept; each tenant's newest run is kept whatever its age. */
const RUN_HISTORY_DAYS = 90;

const PURGE_OLD_RUNS = `WITH gone AS (
  DELETE FROM platform.retention_runs r WHERE (r.tenant_id, r.run_id) IN (
    SELECT o.tenant_id, o.run_id FROM platform.retention_runs o
     WHERE o.started_at < $1 AND o.status <> 'running'
       AND EXISTS (SELECT 1 FROM platform.retention_runs n WHERE n.tenant_id = o.tenant_id AND n.started_at > o.started_at)
     LIMIT $2 FOR UPDATE SKIP LOCKED)
  RETURNING 1)
SELECT count(*)::int AS n FROM gone`;

/** The record of runs (platform.retention_runs) older than RUN_HISTORY_DAYS and not running, except each tenant's newest. */
@Injectable()
@RegisterRetentionRule()
export class RetentionRunHistory implements RetentionRule {
  readonly name = 'retention_runs_purged';
  readonly scope = 'platform';
  readonly order = 30;

  start(i: RetentionInput): RulePass {
    return eachBatch(i.limit, (uow) => countOf(uow, PURGE_OLD_RUNS, [cutoff(i.asOf, RUN_HISTORY_DAYS), i.limit]));
  }
}
