import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Page } from '@credence/http';
import { TenantTransactionRunner } from '@credence/tenancy';
import { AUDIT_EVENT_COLUMNS, AuditEvent, AuditEventRow, toAuditEvent } from '../shared/audit-event';
import { beforePosition, filterConditions, resolveTypes, SqlParams, whereClause } from '../shared/audit-filter-sql';
import { encodeEventCursor } from '../shared/event-cursor';
import { assertTrailContext, inTrail } from '../../trail/trail-tables';
import { ListAuditEventsQuery } from './list-events.query';

/** One page of a trail (the tenant's or the platform's), newest first: (occurred_at DESC, seq DESC), keyset on that pair. */
@QueryHandler(ListAuditEventsQuery)
export class ListAuditEventsHandler implements IQueryHandler<ListAuditEventsQuery, Page<AuditEvent>> {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(q: ListAuditEventsQuery): Promise<Page<AuditEvent>> {
    assertTrailContext(this.runner, q.trail, q.tenantId);
    const rows = await inTrail(this.runner, q.trail, async (uow) => {
      const p = new SqlParams();
      const where = filterConditions(await resolveTypes(uow, q.filter, q.trail), p);
      if (q.after) where.push(beforePosition(q.after, p));
      const sql = `SELECT ${AUDIT_EVENT_COLUMNS} FROM ${q.trail.log} ${whereClause(where)} ORDER BY occurred_at DESC, seq DESC LIMIT ${p.add(q.limit + 1)}`;
      return uow.query<AuditEventRow[]>(sql, p.values);
    });
    const more = rows.length > q.limit;
    const shown = more ? rows.slice(0, q.limit) : rows;
    const last = shown[shown.length - 1];
    return {
      data: shown.map((r) => toAuditEvent(r, q.personal)),
      meta: { next_cursor: more ? encodeEventCursor({ at: last.position_at, seq: last.seq }) : null },
    };
  }
}
