import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, ModulesContainer } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AccessModule } from '@credence/access';
import { ActorsModule } from '@credence/actors';
import { AppConfig, ConfigModule } from '@credence/config';
import { ContextModule } from '@credence/context';
import { CryptoModule } from '@credence/crypto';
import { EventRelayModule } from '@credence/event-relay';
import { createDataSource, featureEntities } from '@credence/database';
import { HttpErrorFilter } from '@credence/http';
import { HealthModule, MetricsModule } from '@credence/observability';
import { OutboxRow } from '@credence/outbox';
import { QueuesModule } from '@credence/queues';
import { RedisModule } from '@credence/redis';
import { TenancyModule, Tenant, TenantDomain } from '@credence/tenancy';
import { tenantMigrations } from '@migrations/tenant';

export const PLATFORM_ENTITIES = [Tenant, TenantDomain, OutboxRow];

/**
 * Database module: the one pool of the process, as a TypeORM DataSource. Its entities are the core's
 * platform ones plus those the app's features registered with EntitiesModule.forFeature.
 */
@Module({})
class DatabaseModule {
  static forRoot(config: AppConfig, appName: string): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        {
          provide: DataSource,
          inject: [ModulesContainer],
          useFactory: (modules: ModulesContainer) =>
            createDataSource(
              {
                url: config.DATABASE_URL,
                max: config.DB_POOL_MAX,
                maxUses: config.DB_POOL_MAX_USES,
                idleTimeoutMs: config.DB_IDLE_TIMEOUT_MS,
                connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
                // Migrations may run DDL for longer than any request should wait.
                queryTimeoutMs: appName === 'migrate' ? 0 : config.DB_QUERY_TIMEOUT_MS,
                applicationName: `credence-${appName}`,
              },
              [...PLATFORM_ENTITIES, ...featureEntities(modules)],
            ),
        },
        { provide: 'DATA_SOURCE_CLOSER', inject: [DataSource], useFactory: (ds: DataSource) => ({ onApplicationShutdown: () => ds.destroy() }) },
      ],
      exports: [DataSource],
    };
  }
}

/**
 * Everything an app needs besides its features, assembled once per process: config, context,
 * the pool, Redis, queues, tenancy, actors, crypto, health, metrics, the event relay and
 * authentication (every route closed unless public). It knows no feature: features bring their own
 * routes and entities.
 */
export function coreModule(config: AppConfig, appName: string, features: Type[]): DynamicModule {
  @Module({})
  class CoreRoot {}
  return {
    module: CoreRoot,
    imports: [
      ConfigModule.forRoot(config),
      ContextModule,
      DatabaseModule.forRoot(config, appName),
      RedisModule,
      QueuesModule,
      CqrsModule.forRoot(),
      TenancyModule.forRoot(tenantMigrations),
      ActorsModule,
      CryptoModule,
      MetricsModule,
      HealthModule,
      AccessModule,
      // Event delivery: the relay candidate (not in the migrate command).
      EventRelayModule.forRoot({ enabled: appName !== 'migrate' }),
      ...features,
    ],
    providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
  };
}
