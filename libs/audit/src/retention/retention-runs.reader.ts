import { Injectable } from '@nestjs/common';
import { DomainError } from '@credence/errors';
import { Page } from '@credence/http';
import { effectiveSettings, TenantStore, TenantTransactionRunner } from '@credence/tenancy';
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
const COLUMNS = `r.run_id, r.tenant_id, r.status, r.started_at, r.finished_at, r.counts, r.error`;
const ORDER = `r.started_at DESC, r.tenant_id DESC, r.run_id DESC`;

function encode(r: { tenant_id: string; run_id: string }): string {
  return Buffer.from(`${r.tenant_id}|${r.run_id}`, 'utf8').toString('base64url');
}

function decode(cursor: string | undefined): [string, string] | null {
  if (!cursor) return null;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  // The same forms as the tenant_id and run_id filters: anything else (a NUL, say) is no cursor we issued.
  if (parts.length !== 2 || !TENANT_ID.test(parts[0]) || !RUN_ID.test(parts[1]))
    throw new DomainError('validation.failed', undefined, [{ field: 'cursor', issue: 'cursor is not one this API issued' }]);
  return [parts[0], parts[1]];
}

/** Reads platform.retention_runs for the admin API: newest first, keyset pages. */
@Injectable()
export class RetentionRunsReader {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly tenants: TenantStore,
  ) {}

  /** Each run with its tenant's slug (asked of the registry; null for the platform part). */
  private async withSlugs(rows: Omit<RunRow, 'slug'>[]): Promise<RunRow[]> {
    const slugs = await this.tenants.slugsOf([...new Set(rows.map((r) => r.tenant_id))]);
    return rows.map((r) => ({ ...r, slug: slugs.get(r.tenant_id) ?? null }));
  }

  async list(filter: RunFilter, limit: number, cursor: string | undefined): Promise<Page<RetentionRunResponse>> {
    const after = decode(cursor);
    const params: unknown[] = [filter.tenantId ?? null, filter.runId ?? null, filter.status ?? null, after?.[0] ?? null, after?.[1] ?? null, limit + 1];
    const where = `($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR run_id = $2) AND ($3::text IS NULL OR status = $3)`;
    const source = filter.latest
      ? `(SELECT DISTINCT ON (tenant_id) * FROM platform.retention_runs WHERE ${where} ORDER BY tenant_id, started_at DESC, run_id DESC)`
      : `(SELECT * FROM platform.retention_runs WHERE ${where})`;
    const found = await this.runner.inPlatform((uow) =>
      uow.query<Omit<RunRow, 'slug'>[]>(
        `SELECT ${COLUMNS} FROM ${source} r
          WHERE $4::text IS NULL OR (r.started_at, r.tenant_id, r.run_id) <
                (SELECT c.started_at, c.tenant_id, c.run_id FROM platform.retention_runs c WHERE c.tenant_id = $4 AND c.run_id = $5)
          ORDER BY ${ORDER} LIMIT $6`,
        params,
      ),
    );
    const rows = await this.withSlugs(found);
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    return { data: shown.map(toRunResponse), meta: { next_cursor: more ? encode(shown[shown.length - 1]) : null } };
  }

  /** A tenant's retention at a glance: its effective policy, its newest run and its newest completed run. */
  async forTenant(slug: string) {
    return this.runner.inPlatform(async (uow) => {
      const tenant = await this.tenants.findBySlug(slug, uow);
      if (!tenant || tenant.status === 'provisioning' || tenant.status === 'deleted') throw new DomainError('tenant.not_found');
      const newest = async (extra: string) => {
        const rows = await uow.query<Omit<RunRow, 'slug'>[]>(
          `SELECT ${COLUMNS} FROM platform.retention_runs r
            WHERE r.tenant_id = $1 ${extra} ORDER BY r.started_at DESC, r.run_id DESC LIMIT 1`,
          [tenant.id],
        );
        return rows.map((r) => ({ ...r, slug: tenant.slug }));
      };
      const [last] = await newest('');
      const [lastCompleted] = await newest(`AND r.status = 'completed'`);
      const settings = effectiveSettings(tenant.settings);
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
