import { Injectable } from '@nestjs/common';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { RUN_COLUMNS, runResponse, RunRow } from '../run-row';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

@Injectable()
export class GetRun {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async get(tenantId: string, id: string) {
    this.runner.assertAmbientTenant(tenantId);
    if (!UUID.test(id)) throw new DomainError('sync.run_not_found');
    const [row] = await this.runner.inTenant((uow) => uow.query<RunRow[]>(`SELECT ${RUN_COLUMNS} FROM sync_runs WHERE id = $1`, [id]));
    if (!row) throw new DomainError('sync.run_not_found');
    return runResponse(row);
  }
}
