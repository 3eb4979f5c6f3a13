import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { lockForTransaction, TENANT_SCHEMA_LOCK } from '@credence/database';
import { TenantMigrator } from '../migrations/tenant-migrator';
import { TenantRoles } from '../roles/tenant-roles';
import { newSpareSchemaName, quoteSpareSchema } from '../schema-name';
import { TenantTransactionRunner } from '../tenant-transaction-runner';
import type { UnitOfWork } from '../unit-of-work';
import { TenantSpareStore } from './tenant-spare-store';

/** Serialises the pool's makers across processes, so the pool never grows past its size. */
const MAKER_LOCK = 'credence:tenant-spares';

export interface RefillReport {
  made: number;
  cleaned: number;
  size: number;
}

/**
 * The pool of spare tenant schemas: created, migrated and granted ahead of time (`refill`, from a
 * background job), so that onboarding only renames one (`takeInto`) instead of running the DDL of
 * every migration on the request. A spare is made in one transaction (schema, role, migrations,
 * row), so a crash leaves no half of one; `refill` still removes strays first.
 */
@Injectable()
export class TenantSpares {
  private readonly logger = new Logger(TenantSpares.name);
  private readonly store = new TenantSpareStore();

  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly migrator: TenantMigrator,
    private readonly roles: TenantRoles,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * In the provisioning transaction (login role, tenant-schema lock held shared): renames a spare to
   * `schema` with its role. False when the pool is empty; the caller creates the schema then. With
   * the pool turned off (size 0) the spares made before are still used up.
   */
  async takeInto(uow: UnitOfWork, schema: string): Promise<boolean> {
    const spare = await this.store.take(uow, this.migrator.targetVersion);
    if (!spare) return false;
    await this.roles.adoptSpare(uow, spare, schema);
    return true;
  }

  /** Removes strays, then makes spares one transaction at a time until the pool has its size. */
  async refill(): Promise<RefillReport> {
    const size = this.config.TENANT_SPARE_POOL_SIZE;
    const cleaned = await this.cleanUp();
    let made = 0;
    while (made < size && (await this.makeOne(size))) made++;
    if (made) this.logger.log({ made, size }, 'tenant spare schemas made');
    return { made, cleaned, size };
  }

  async count(): Promise<number> {
    return this.asSystem((uow) => this.store.count(uow));
  }

  /**
   * A spare schema without its row, a row without its schema, a role without its schema, a spare
   * behind the current version: dropped. A spare being taken is never one of them: its row is
   * locked until its rename and the removal of its row commit together.
   */
  async cleanUp(): Promise<number> {
    return this.asSystem(async (uow) => {
      await lockForTransaction(uow.manager.queryRunner!, MAKER_LOCK);
      const behind = await this.store.lockBehind(uow, this.migrator.targetVersion);
      const { schemas, rows } = await this.store.strays(uow);
      for (const schema of [...schemas, ...behind]) {
        await uow.query(`DROP SCHEMA ${quoteSpareSchema(schema)} CASCADE`);
        await this.roles.dropSpareRole(uow, schema);
      }
      for (const schema of [...rows, ...behind]) await this.store.remove(uow, schema);
      const roles = await this.roles.orphanSpareRoles(uow);
      for (const schema of roles) await this.roles.dropSpareRole(uow, schema);
      const cleaned = schemas.length + rows.length + behind.length + roles.length;
      if (cleaned) this.logger.warn({ schemas, rows, behind, roles }, 'stray tenant spares removed');
      return cleaned;
    });
  }

  /** One spare, if the pool is short of `size`; false when it is full. */
  private makeOne(size: number): Promise<boolean> {
    return this.asSystem(async (uow) => {
      const queryRunner = uow.manager.queryRunner!;
      await lockForTransaction(queryRunner, MAKER_LOCK);
      // Shared, like provisioning: `npm run migrate` never runs while a spare is half made.
      await lockForTransaction(queryRunner, TENANT_SCHEMA_LOCK, 'shared');
      if ((await this.store.count(uow)) >= size) return false;
      const spare = newSpareSchemaName();
      await this.roles.ensureGroup(uow, false);
      await uow.query(`CREATE SCHEMA ${quoteSpareSchema(spare)}`);
      await this.roles.createSpareRole(uow, spare);
      const { version } = await this.migrator.applyInSpare(uow, spare);
      await this.store.add(uow, spare, version);
      return true;
    });
  }

  private asSystem<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    return this.context.runWith({ principal: 'system:tenant-spares' }, () => this.runner.inPlatform(work));
  }
}
