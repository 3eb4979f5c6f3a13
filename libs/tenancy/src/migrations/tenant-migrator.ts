import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext, TenantRef } from '@credence/context';
import { applyPending, MigrationSet, TENANT_SCHEMA_LOCK } from '@credence/database';
import { TenantRoles } from '../roles/tenant-roles';
import { quoteSpareSchema } from '../schema-name';
import { TenantSpareStore } from '../spares/tenant-spare-store';
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

/** What `migrateAll` did to the spare schemas (libs/tenancy/src/spares): a spare that fails is dropped. */
export interface SpareMigrationReport {
  migrated: number;
  current: number;
  dropped: { schema: string; error: string }[];
}

/** Applies tenant migrations tenant by tenant, failures isolated per tenant, safe to re-run. */
@Injectable()
export class TenantMigrator {
  private readonly spares = new TenantSpareStore();

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
   * In a platform unit of work run by the login role: points the unit at a spare schema (search_path,
   * transaction-local) and brings it to the current version. The spare's role exists already
   * (TenantRoles.createSpareRole), so its tables are granted to it as they are created.
   */
  async applyInSpare(uow: UnitOfWork, spare: string): Promise<{ version: number; applied: string[] }> {
    const queryRunner = uow.manager.queryRunner;
    if (!queryRunner || uow.tenant) throw new Error('a spare is migrated in a platform unit of work');
    await uow.query("SELECT set_config('search_path', $1, true)", [`${quoteSpareSchema(spare)},platform`]);
    const [{ schema }] = await uow.query<{ schema: string | null }[]>('SELECT current_schema() AS schema');
    if (schema !== spare) throw new Error(`spare schema missing (current_schema = ${schema})`);
    return applyPending(queryRunner, this.set);
  }

  /**
   * Migrates every live tenant, then every spare schema. Holds the tenant-schema lock exclusively for the whole run, so a
   * tenant being provisioned meanwhile waits and then gets the current schema: none is missed.
   */
  async migrateAll(concurrency = this.config.TENANT_MIGRATION_CONCURRENCY): Promise<TenantMigrationReport[]> {
    return (await this.migrateEverything(concurrency)).tenants;
  }

  async migrateEverything(concurrency = this.config.TENANT_MIGRATION_CONCURRENCY): Promise<{ tenants: TenantMigrationReport[]; spares: SpareMigrationReport }> {
    const lockConnection = this.dataSource.createQueryRunner();
    await lockConnection.connect();
    try {
      await lockConnection.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [TENANT_SCHEMA_LOCK]);
      // The group's grants on platform first: a newer build may grant it more.
      await this.context.runWith({ principal: 'system:migrate' }, () => this.runner.inPlatform((uow) => this.roles.ensureGroup(uow, true)));
      const tenants = await this.liveTenants();
      const results = await mapBounded(tenants, concurrency, (t) => this.migrateOne(t));
      const reports = results.map((r, i): TenantMigrationReport => {
        const t = tenants[i];
        if (r.status === 'fulfilled') return r.value;
        const reason = r.reason instanceof Error ? r.reason.message : String(r.reason);
        return { tenant_id: t.id, slug: t.slug, from: t.db_version, to: t.db_version, applied: [], error: reason };
      });
      return { tenants: reports, spares: await this.migrateSpares(concurrency) };
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

  /**
   * Spares are migrated like tenants (whatever migrations the set holds); one that fails is dropped
   * rather than kept at an old version, and the pool's refill makes another. Called with the
   * tenant-schema lock held, so no onboarding takes a spare meanwhile.
   */
  private async migrateSpares(concurrency: number): Promise<SpareMigrationReport> {
    const asSystem = <T>(work: (uow: UnitOfWork) => Promise<T>) => this.context.runWith({ principal: 'system:migrate' }, () => this.runner.inPlatform(work));
    const spares = await asSystem((uow) => this.spares.list(uow));
    const report: SpareMigrationReport = { migrated: 0, current: 0, dropped: [] };
    const results = await mapBounded(spares, concurrency, (spare) =>
      asSystem(async (uow) => {
        if (!(await this.spares.lock(uow, spare.schema_name))) return 'gone' as const;
        const { applied, version } = await this.applyInSpare(uow, spare.schema_name);
        if (applied.length) await this.spares.setDbVersion(uow, spare.schema_name, version);
        return applied.length ? ('migrated' as const) : ('current' as const);
      }),
    );
    for (const [i, r] of results.entries()) {
      if (r.status === 'fulfilled') {
        if (r.value !== 'gone') report[r.value]++;
        continue;
      }
      const schema = spares[i].schema_name;
      const error = r.reason instanceof Error ? r.reason.message : String(r.reason);
      // Not dropped now (the database went away)? The pool's clean-up drops it: its version is behind.
      const dropped = await asSystem(async (uow) => {
        await uow.query(`DROP SCHEMA IF EXISTS ${quoteSpareSchema(schema)} CASCADE`);
        await this.roles.dropSpareRole(uow, schema);
        await this.spares.remove(uow, schema);
      }).then(
        () => '',
        (err: unknown) => `; not dropped: ${err instanceof Error ? err.message : String(err)}`,
      );
      report.dropped.push({ schema, error: error + dropped });
    }
    return report;
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
