import { Injectable } from '@nestjs/common';
import { DomainError } from '@credence/errors';
import { Page } from '@credence/http';
import { DEFAULT_TENANT_SETTINGS, TenantSettings, TenantTransactionRunner } from '@credence/tenancy';
import { RetentionRunResponse, RunRow, toRunResponse } from './dto/run.response';
import { policyOf } from './tenant-retention';

export interface RunFilter {
  tenantId?: string;
  runId?: string;
  status?: string;
  latest?: boolean;
}

const TENANT_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|platform)$/;
const RUN_ID = /^[0-9A-Za-z-]{1,64}$/;
const COLUMNS = `r.run_id, r.tenant_id, t.slug, r.status, r.started_at, r.finished_at, r.counts, r.error`;
const ORDER = `r.started_at DESC, r.tenant_id DESC, r.run_id DESC`;

function encode(r: { tenant_id: string; run_id: string }): string {
  return Buffer.from(`${r.tenant_id}|${r.run_id}`, 'utf8').toString('base64url');
}

function decode(cursor: string | undefined): [string, string] | null {
  if (!cursor) return null;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  // The same forms as the tenant_id and run_id filters: anything else (a NUL, say) is no cursor we issued.
  if (parts.length !== 2 || !TENANT_ID.test(parts[0]) || !RUN_ID.test(parts[1])) throw new DomainError('validation.failed', undefined, [{ field: 'cursor', issue: 'cursor is not one this API issued' }]);
  return [parts[0], parts[1]];
}

/** Reads platform.retention_runs for the admin API: newest first, keyset pages. */
@Injectable()
export class RetentionRunsReader {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async list(filter: RunFilter, limit: number, cursor: string | undefined): Promise<Page<RetentionRunResponse>> {
    const after = decode(cursor);
    const params: unknown[] = [filter.tenantId ?? null, filter.runId ?? null, filter.status ?? null, after?.[0] ?? null, after?.[1] ?? null, limit + 1];
    const where = `($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR run_id = $2) AND ($3::text IS NULL OR status = $3)`;
    const source = filter.latest
      ? `(SELECT DISTINCT ON (tenant_id) * FROM platform.retention_runs WHERE ${where} ORDER BY tenant_id, started_at DESC, run_id DESC)`
      : `(SELECT * FROM platform.retention_runs WHERE ${where})`;
    const rows = await this.runner.inPlatform((uow) =>
      uow.query<RunRow[]>(
        `SELECT ${COLUMNS} FROM ${source} r LEFT JOIN platform.tenants t ON t.id::text = r.tenant_id
          WHERE $4::text IS NULL OR (r.started_at, r.tenant_id, r.run_id) <
                (SELECT c.started_at, c.tenant_id, c.run_id FROM platform.retention_runs c WHERE c.tenant_id = $4 AND c.run_id = $5)
          ORDER BY ${ORDER} LIMIT $6`,
        params,
      ),
    );
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    return { data: shown.map(toRunResponse), meta: { next_cursor: more ? encode(shown[shown.length - 1]) : null } };
  }

  /** A tenant's retention at a glance: its effective policy, its newest run and its newest completed run. */
  async forTenant(slug: string) {
    return this.runner.inPlatform(async (uow) => {
      const [tenant] = await uow.query<{ id: string; slug: string; status: string; settings: TenantSettings }[]>(
        `SELECT id, slug, status, settings FROM platform.tenants WHERE slug = $1 AND status NOT IN ('provisioning', 'deleted')`,
        [slug],
      );
      if (!tenant) throw new DomainError('tenant.not_found');
      const newest = (extra: string) =>
        uow.query<RunRow[]>(
          `SELECT ${COLUMNS} FROM platform.retention_runs r LEFT JOIN platform.tenants t ON t.id::text = r.tenant_id
            WHERE r.tenant_id = $1 ${extra} ORDER BY r.started_at DESC, r.run_id DESC LIMIT 1`,
          [tenant.id],
        );
      const [last] = await newest('');
      const [lastCompleted] = await newest(`AND r.status = 'completed'`);
      const settings = { ...DEFAULT_TENANT_SETTINGS, ...(tenant.settings ?? {}) };
      return {
        tenant_id: tenant.id,
        slug: tenant.slug,
        status: tenant.status,
        policy: { ...policyOf(tenant.settings), event_retention_days: settings.event_retention_days },
        last_run: last ? toRunResponse(last) : null,
        last_completed_run: lastCompleted ? toRunResponse(lastCompleted) : null,
      };
    });
  }
}
