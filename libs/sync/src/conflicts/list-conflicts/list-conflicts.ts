import { Injectable } from '@nestjs/common';
import { pageOf } from '@credence/http';
import { TenantTransactionRunner } from '@credence/tenancy';
import { CONFLICT_SELECT, conflictResponse, ConflictRow } from '../conflict-row';

/** Oldest first, optionally only `open` or `resolved` ones; cursor pagination by id. */
@Injectable()
export class ListConflicts {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async list(tenantId: string, status: 'open' | 'resolved' | undefined, limit: number, after: string | null) {
    this.runner.assertAmbientTenant(tenantId);
    const rows = await this.runner.inTenant((uow) =>
      uow.query<ConflictRow[]>(`${CONFLICT_SELECT} WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3`, [
        status ?? null,
        after,
        limit + 1,
      ]),
    );
    return pageOf(rows, limit, conflictResponse);
  }
}
