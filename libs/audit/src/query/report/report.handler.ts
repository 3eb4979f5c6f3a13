import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TenantTransactionRunner } from '@credence/tenancy';
import { filterConditions, SqlParams, whereClause } from '../shared/audit-filter-sql';
import { AuditReport } from './audit-report';
import { AuditReportQuery } from './report.query';

interface GroupRow {
  by_type: boolean;
  by_day: boolean;
  type: string | null;
  day: string | null;
  events: string;
  failed: string;
  denied: string;
  users: string;
}

/**
 * One scan, aggregated in Postgres: grouping sets give the totals, the counts per type and per UTC day
 * in a single statement (so from one snapshot); no row reaches the application.
 */
@QueryHandler(AuditReportQuery)
export class AuditReportHandler implements IQueryHandler<AuditReportQuery, AuditReport> {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(q: AuditReportQuery): Promise<AuditReport> {
    this.runner.assertAmbientTenant(q.tenantId);
    const p = new SqlParams();
    const where = filterConditions({ from: q.from, to: q.to }, p);
    const rows = await this.runner.queryInTenant<GroupRow[]>(
      `SELECT GROUPING(type) = 0 AS by_type, GROUPING(day) = 0 AS by_day, type, day::text AS day,
                count(*) AS events,
                count(*) FILTER (WHERE outcome = 'failure') AS failed,
                count(*) FILTER (WHERE outcome = 'denied') AS denied,
                count(DISTINCT user_id) AS users
           FROM (SELECT type, outcome, user_id, (occurred_at AT TIME ZONE 'UTC')::date AS day FROM audit_log ${whereClause(where)}) r
          GROUP BY GROUPING SETS ((), (type), (day))`,
      p.values,
    );
    const n = (v: string) => Number(v);
    const total = rows.find((r) => !r.by_type && !r.by_day);
    const events = total ? n(total.events) : 0;
    const failed = total ? n(total.failed) : 0;
    const denied = total ? n(total.denied) : 0;
    const successes = events - failed - denied;
    return {
      period: { from: q.from ? new Date(q.from).toISOString() : null, to: q.to ? new Date(q.to).toISOString() : null },
      totals: {
        events,
        successes,
        failures: failed + denied,
        failed,
        denied,
        success_rate: events ? Math.round((successes / events) * 10_000) / 10_000 : null,
        unique_users: total ? n(total.users) : 0,
      },
      by_type: rows
        .filter((r) => r.by_type)
        .map((r) => ({ type: r.type!, events: n(r.events), failures: n(r.failed) + n(r.denied) }))
        .sort((a, b) => b.events - a.events || a.type.localeCompare(b.type)),
      by_day: rows
        .filter((r) => r.by_day)
        .map((r) => ({ date: r.day!, events: n(r.events), failures: n(r.failed) + n(r.denied), unique_users: n(r.users) }))
        .sort((a, b) => a.date.localeCompare(b.date)),
    };
  }
}
