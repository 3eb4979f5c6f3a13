import { Module } from '@nestjs/common';

/** apps/audit: the per-tenant audit trail and retention workers. Features arrive with their issues; health and metrics come from the core. */
@Module({})
export class AuditAppModule {}
