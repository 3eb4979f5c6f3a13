import { DynamicModule, Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { MigrationSet } from '@credence/database';
import { TENANT_MIGRATIONS } from './migrations/migration-tokens';
import { TenantMigrator } from './migrations/tenant-migrator';
import { TenantRegistry } from './tenant-registry';
import { TenantRouteGuard } from './tenant-route.guard';
import { TenantTransactionRunner } from './tenant-transaction-runner';

@Global()
@Module({})
export class TenancyModule {
  static forRoot(tenantMigrations: MigrationSet): DynamicModule {
    return {
      module: TenancyModule,
      imports: [CqrsModule],
      providers: [
        { provide: TENANT_MIGRATIONS, useValue: tenantMigrations },
        TenantTransactionRunner,
        TenantRegistry,
        TenantRouteGuard,
        TenantMigrator,
      ],
      exports: [TenantTransactionRunner, TenantRegistry, TenantRouteGuard, TenantMigrator, TENANT_MIGRATIONS],
    };
  }
}
