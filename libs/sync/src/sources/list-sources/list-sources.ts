import { Injectable } from '@nestjs/common';
import { TenantTransactionRunner } from '@credence/tenancy';
import { SOURCE_SELECT, SourceSettings } from '../source-settings';

/** The configured sources, and every source that sent a run with the defaults it runs under. */
@Injectable()
export class ListSources {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async list(tenantId: string): Promise<{ data: SourceSettings[] }> {
    this.runner.assertAmbientTenant(tenantId);
    const data = await this.runner.inTenant((uow) =>
      uow.query<SourceSettings[]>(
        `${SOURCE_SELECT}
         UNION ALL
         SELECT DISTINCT r.source, 'source_wins', 5000, 0.2::float8 FROM sync_runs r WHERE NOT EXISTS (SELECT 1 FROM sync_sources s WHERE s.source = r.source)
         ORDER BY source`,
      ),
    );
    return { data };
  }
}
