import { Injectable } from '@nestjs/common';
import { pageOf } from '@credence/http';
import { TenantTransactionRunner } from '@credence/tenancy';
import { RUN_COLUMNS, runResponse, RunRow } from '../run-row';

/** Newest first, `limit` per page; the cursor is the last run's id (UUIDv7, time-ordered). */
@Injectable()
export class ListRuns {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async list(tenantId: string, limit: number, after: string | null) {
    this.runner.assertAmbientTenant(tenantId);
    const rows = await this.runner.inTenant((uow) =>
      uow.query<RunRow[]>(`SELECT ${RUN_COLUMNS} FROM sync_runs WHERE ($1::uuid IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`, [after, limit + 1]),
    );
    return pageOf(rows, limit, (r) => runResponse(r, false));
  }
}
