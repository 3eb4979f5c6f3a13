import { Module } from '@nestjs/common';
import { AuditModule } from '@credence/audit';
import { IdentityAccessModule } from '@credence/identity';

/**
 * apps/audit: the per-tenant audit trail (ingest, read API, detection) and the retention workers. Its
 * features live in libs/audit; identity, behind the access ports, verifies the tenant users who read.
 */
@Module({ imports: [AuditModule, IdentityAccessModule] })
export class AuditAppModule {}
