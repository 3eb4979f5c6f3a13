import { DynamicModule, Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { MigrationSet } from '@credence/database';
import { TENANT_MIGRATIONS } from './migrations/migration-tokens';
import { TenantMigrator } from './migrations/tenant-migrator';
import { TenantRoles } from './roles/tenant-roles';
import { TenantSpares } from './spares/tenant-spares';
import { TenantRegistry } from './tenant-registry';
import { TenantRouteGuard } from './tenant-route.guard';
import { TenantTransactionRunner } from './tenant-transaction-runner';
import { TenantSettingsWriter } from './settings/tenant-settings-writer';
import { TenantLifecycleStore } from './store/tenant-lifecycle-store';
import { TenantStore } from './store/tenant-store';

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
        TenantStore,
        TenantLifecycleStore,
        TenantSettingsWriter,
        TenantRoles,
        TenantSpares,
      ],
      exports: [
        TenantTransactionRunner,
        TenantRegistry,
        TenantRouteGuard,
        TenantMigrator,
        TenantStore,
        TenantLifecycleStore,
        TenantSettingsWriter,
        TenantRoles,
        TenantSpares,
        TENANT_MIGRATIONS,
      ],
    };
  }
}
