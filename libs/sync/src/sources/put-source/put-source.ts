import { Injectable } from '@nestjs/common';
import { TenantTransactionRunner } from '@credence/tenancy';
import { defaultSettings, SourceSettings } from '../source-settings';
import { PutSourceDto } from './put-source.dto';

/** Creates or replaces a source's settings; a field left out gets its default. */
@Injectable()
export class PutSource {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async put(tenantId: string, source: string, dto: PutSourceDto): Promise<SourceSettings> {
    this.runner.assertAmbientTenant(tenantId);
    const d = defaultSettings(source);
    const s: SourceSettings = {
      source,
      conflict_strategy: dto.conflict_strategy,
      timestamp_tolerance_ms: dto.timestamp_tolerance_ms ?? d.timestamp_tolerance_ms,
      max_disable_share: dto.max_disable_share ?? d.max_disable_share,
    };
    await this.runner.inTenant((uow) =>
      uow.query(
        `INSERT INTO sync_sources (source, conflict_strategy, timestamp_tolerance_ms, max_disable_share) VALUES ($1, $2, $3, $4)
         ON CONFLICT (source) DO UPDATE SET conflict_strategy = $2, timestamp_tolerance_ms = $3, max_disable_share = $4, updated_at = now()`,
        [s.source, s.conflict_strategy, s.timestamp_tolerance_ms, s.max_disable_share],
      ),
    );
    return s;
  }
}
