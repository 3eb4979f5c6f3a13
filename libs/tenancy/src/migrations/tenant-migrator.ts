import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext, TenantRef } from '@credence/context';
import { applyPending, MigrationSet, TENANT_SCHEMA_LOCK } from '@credence/database';
import { TenantRoles } from '../roles/tenant-roles';
import { TenantLifecycleStore } from '../store/tenant-lifecycle-store';
import { TenantSummary } from '../store/tenant-record';
import { TenantStore } from '../store/tenant-store';
import { TenantTransactionRunner } from '../tenant-transaction-runner';
import { UnitOfWork } from '../unit-of-work';
import { TENANT_MIGRATIONS } from './migration-tokens';
import { mapBounded } from './bounded';

export interface TenantMigrationReport {
  tenant_id: string;
  slug: string;
  from: number;
  to: number;
  applied: string[];
  error?: string;
}

/** Applies tenant migrations tenant by tenant, failures isolated per tenant, safe to re-run. */
@Injectable()
export class TenantMigrator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    @Inject(TENANT_MIGRATIONS) private readonly set: MigrationSet,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tenants: TenantStore,
    private readonly lifecycle: TenantLifecycleStore,
    private readonly roles: TenantRoles,
  ) {}

  get targetVersion(): number {
    return this.set.migrations.length;
  }

  /**
   * Inside a unit of work run as the schema's owner (`asOwner`): makes the tenant's role exist with
   * rights on every table of the schema (TenantRoles), then brings the schema to the current version.
   */
  async applyInUnit(uow: UnitOfWork): Promise<{ version: number; applied: string[] }> {
    const queryRunner = uow.manager.queryRunner;
    if (!queryRunner) throw new Error('unit of work has no query runner');
    const [{ schema }] = await uow.query<{ schema: string | null }[]>('SELECT current_schema() AS schema');
    // Unqualified DDL lands in the first existing schema of the path; never let it fall through to platform.
    if (!uow.tenant || schema !== uow.tenant.schema) throw new Error(`tenant schema missing (current_schema = ${schema})`);
    // Role first: the tables the migrations create are then granted to it by default privileges.
    await this.roles.ensure(uow, uow.tenant.schema);
    return applyPending(queryRunner, this.set);
  }

  /**
   * Migrates every live tenant. Holds the tenant-schema lock exclusively for the whole run, so a
   * tenant being provisioned meanwhile waits and then gets the current schema: none is missed.
   */
  async migrateAll(concurrency = this.config.TENANT_MIGRATION_CONCURRENCY): Promise<TenantMigrationReport[]> {
    const lockConnection = this.dataSource.createQueryRunner();
    await lockConnection.connect();
    try {
      await lockConnection.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [TENANT_SCHEMA_LOCK]);
      // The group's grants on platform first: a newer build may grant it more.
      await this.context.runWith({ principal: 'system:migrate' }, () => this.runner.inPlatform((uow) => this.roles.ensureGroup(uow, true)));
      const tenants = await this.liveTenants();
      const results = await mapBounded(tenants, concurrency, (t) => this.migrateOne(t));
      return results.map((r, i) => {
        const t = tenants[i];
        if (r.status === 'fulfilled') return r.value;
        const reason = r.reason instanceof Error ? r.reason.message : String(r.reason);
        return { tenant_id: t.id, slug: t.slug, from: t.db_version, to: t.db_version, applied: [], error: reason };
      });
    } finally {
      await lockConnection.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [TENANT_SCHEMA_LOCK]).catch(() => undefined);
      await lockConnection.release();
    }
  }

  async status(): Promise<{ target: number; tenants: { tenant_id: string; slug: string; status: string; db_version: number; current: boolean }[] }> {
    const rows = await this.liveTenants();
    return {
      target: this.targetVersion,
      tenants: rows.map((r) => ({ tenant_id: r.id, slug: r.slug, status: r.status, db_version: r.db_version, current: r.db_version === this.targetVersion })),
    };
  }

  private liveTenants(): Promise<TenantSummary[]> {
    return this.tenants.listByStatus(['active', 'suspended', 'offboarding']);
  }

  private async migrateOne(t: TenantSummary): Promise<TenantMigrationReport> {
    const tenant: TenantRef = { id: t.id, slug: t.slug, schema: t.schema_name };
    return this.context.runWith({ tenant, principal: 'system:migrate' }, () =>
      this.runner.inTenant(
        async (uow) => {
          const { applied, version } = await this.applyInUnit(uow);
          if (applied.length) await this.lifecycle.setDbVersion(uow, t.id, version);
          return { tenant_id: t.id, slug: t.slug, from: t.db_version, to: version, applied };
        },
        { locks: [{ key: `tenant-migrate:${t.id}` }], asOwner: true },
      ),
    );
  }
}
