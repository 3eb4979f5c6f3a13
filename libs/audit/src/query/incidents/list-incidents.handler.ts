import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Page } from '@credence/http';
import { TenantTransactionRunner } from '@credence/tenancy';
import { SqlParams, whereClause } from '../shared/audit-filter-sql';
import { AuditIncident, IncidentRow, toAuditIncident } from './audit-incident';
import { encodeIncidentCursor } from './incident-cursor';
import { ListIncidentsQuery } from './list-incidents.query';

const COLUMNS = `id, rule, severity, key, user_id, ip, event_count, window_started_at, detected_at, trigger_event_id, details,
  to_char(detected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_at`;

/** Incidents newest first, (detected_at DESC, id DESC), keyset on that pair (audit_incidents_detected_idx). */
@QueryHandler(ListIncidentsQuery)
export class ListIncidentsHandler implements IQueryHandler<ListIncidentsQuery, Page<AuditIncident>> {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(q: ListIncidentsQuery): Promise<Page<AuditIncident>> {
    this.runner.assertAmbientTenant(q.tenantId);
    const p = new SqlParams();
    const where: string[] = [];
    if (q.rule) where.push(`rule = ${p.add(q.rule)}`);
    if (q.after) where.push(`(detected_at, id) < (${p.add(q.after.at)}::timestamptz, ${p.add(q.after.id)}::uuid)`);
    const sql = `SELECT ${COLUMNS} FROM audit_incidents ${whereClause(where)} ORDER BY detected_at DESC, id DESC LIMIT ${p.add(q.limit + 1)}`;
    const rows = await this.runner.queryInTenant<IncidentRow[]>(sql, p.values);
    const more = rows.length > q.limit;
    const shown = more ? rows.slice(0, q.limit) : rows;
    const last = shown[shown.length - 1];
    return {
      data: shown.map((r) => toAuditIncident(r, q.personal)),
      meta: { next_cursor: more ? encodeIncidentCursor({ at: last.position_at, id: last.id }) : null },
    };
  }
}
