import { Injectable, StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { RequestContext, TenantRef } from '@credence/context';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { AUDIT_EVENT_COLUMNS, AuditEventRow, toAuditEvent } from '../shared/audit-event';
import { afterPosition, AuditFilter, filterConditions, resolveTypes, SqlParams, whereClause } from '../shared/audit-filter-sql';
import { EventPosition } from '../shared/event-cursor';
import { inTrail, TENANT_TRAIL, TrailTables } from '../../trail/trail-tables';
import { ExportFormat, FORMATS } from './export-formats';

/** Rows per query: one batch is formatted and handed to the socket before the next is read. */
export const EXPORT_BATCH_ROWS = 1000;

/** What an export reads: fixed when it starts, so rows ingested meanwhile do not shift it. */
export interface ExportPlan {
  /** The tenant whose trail is read; null for the platform trail. */
  tenant: TenantRef | null;
  trail: TrailTables;
  principal: string;
  filter: AuditFilter & { types?: string[] };
  /** The chain head when the export began: rows after it are left out. */
  untilSeq: string;
}

/**
 * Streams a trail (a tenant's or the platform's), oldest first ((occurred_at, seq) keyset batches, each in a short unit of
 * work of its own), as NDJSON or CSV. Memory stays at about one batch: the stream is pulled by the
 * socket, so a slow reader slows the reads down instead of filling the heap, and no connection is
 * held between batches.
 */
@Injectable()
export class AuditExporter {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
  ) {}

  async open(tenantId: string, filter: AuditFilter, format: ExportFormat, personal: boolean, trail: TrailTables = TENANT_TRAIL): Promise<StreamableFile> {
    const tenant = trail.scope === 'tenant' ? this.runner.assertAmbientTenant(tenantId) : null;
    const plan = await inTrail(this.runner, trail, async (uow): Promise<ExportPlan> => {
      const [head] = await uow.query<{ last_seq: string }[]>(`SELECT last_seq FROM ${trail.chain}`);
      return { tenant, trail, principal: this.context.principal, filter: await resolveTypes(uow, filter, trail), untilSeq: head.last_seq };
    });
    const out = FORMATS[format];
    const stream = Readable.from(this.render(plan, format, personal), { objectMode: false, highWaterMark: 64 * 1024 });
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    return new StreamableFile(stream, {
      type: out.contentType,
      disposition: `attachment; filename="audit-${tenant?.slug ?? 'platform'}-${stamp}.${out.extension}"`,
    }).setErrorHandler((_err, res) => {
      // A failure after the first bytes cuts the connection: a truncated file must not look complete.
      if (!res.destroyed) res.destroy?.();
    });
  }

  private async *render(plan: ExportPlan, format: ExportFormat, personal: boolean): AsyncGenerator<string> {
    const out = FORMATS[format];
    if (out.header) yield out.header;
    let after: EventPosition | null = null;
    for (;;) {
      const rows = await this.batch(plan, after, EXPORT_BATCH_ROWS);
      if (!rows.length) return;
      let chunk = '';
      for (const row of rows) chunk += out.record(toAuditEvent(row, personal));
      yield chunk;
      if (rows.length < EXPORT_BATCH_ROWS) return;
      const last = rows[rows.length - 1];
      after = { at: last.position_at, seq: last.seq };
    }
  }

  /** The next rows after `after`, oldest first. Runs outside the request's async context, so it names the tenant itself. */
  batch(plan: ExportPlan, after: EventPosition | null, size: number): Promise<AuditEventRow[]> {
    if (plan.trail.scope === 'tenant' && !plan.tenant) throw new DomainError('tenant.context_missing');
    return this.context.runWith({ tenant: plan.tenant ?? undefined, principal: plan.principal }, () =>
      inTrail(this.runner, plan.trail, async (uow) => {
        // Each batch must walk an index in (occurred_at, seq) order from the last position: then the
        // whole export reads the index once. A plan that collects the remaining matches and sorts them
        // (what stale statistics after a burst of inserts lead to) would make every batch cost the
        // whole rest of the range.
        await uow.query(`SELECT set_config('enable_sort', 'off', true)`);
        const p = new SqlParams();
        const where = filterConditions(plan.filter, p);
        where.push(`seq <= ${p.add(plan.untilSeq)}::bigint`);
        if (after) where.push(afterPosition(after, p));
        const sql = `SELECT ${AUDIT_EVENT_COLUMNS} FROM ${plan.trail.log} ${whereClause(where)} ORDER BY occurred_at, seq LIMIT ${p.add(size)}`;
        return uow.query<AuditEventRow[]>(sql, p.values);
      }),
    );
  }
}
