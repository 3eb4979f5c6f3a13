import { Module } from '@nestjs/common';
import { AuditModule } from '@credence/audit';

/** apps/audit: the per-tenant audit trail (ingest, read API, detection) and the retention workers. Its features live in libs/audit. */
@Module({ imports: [AuditModule] })
export class AuditAppModule {}
