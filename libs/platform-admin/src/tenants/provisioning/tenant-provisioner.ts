import { Injectable, Logger } from '@nestjs/common';
import { ActorSystem } from '@credence/actors';
import { RequestContext } from '@credence/context';
import { subjects } from '@credence/contracts';
import { KeyEncryption, newSigningKey } from '@credence/crypto';
import { TENANT_SCHEMA_LOCK, lockForTransaction } from '@credence/database';
import { seedNewTenant } from '@credence/identity';
import { Metrics } from '@credence/observability';
import { quoteSchema, TenantLifecycleStore, TenantMigrator, TenantRegistry, TenantRoles, TenantSpares } from '@credence/tenancy';
import { TenantSparesJobs } from '../spares/tenant-spares.jobs';
import { tenantActor } from '../tenant-actor';

export type ProvisionOutcome = 'completed' | 'already_done' | 'gone';

/**
 * Second phase of onboarding, shared by the request and crash recovery: in one transaction,
 * take a spare schema from the pool (renamed to the tenant's, with its role) or else create the
 * schema, migrate it (nothing left to do for a current spare), create the tenant's role (the
 * migrator does), seed it, and flip the tenant to active with `tenant.onboarded`. It runs as the
 * login role (`asOwner`): DDL and the registry. DDL is transactional in Postgres, so a crash
 * anywhere in here leaves nothing behind, and a spare taken by a failed attempt is still a spare.
 */
@Injectable()
export class TenantProvisioner {
  private readonly logger = new Logger(TenantProvisioner.name);

  constructor(
    private readonly actors: ActorSystem,
    private readonly context: RequestContext,
    private readonly migrator: TenantMigrator,
    private readonly encryption: KeyEncryption,
    private readonly registry: TenantRegistry,
    private readonly metrics: Metrics,
    private readonly lifecycle: TenantLifecycleStore,
    private readonly roles: TenantRoles,
    private readonly spares: TenantSpares,
    private readonly spareJobs: TenantSparesJobs,
  ) {}

  async complete(slug: string, tenant: { id: string; schema: string }, recovered: boolean): Promise<ProvisionOutcome> {
    const key = await newSigningKey(this.encryption, tenant.id);
    const ref = { id: tenant.id, slug, schema: tenant.schema };
    let tookSpare = false;
    const outcome = await this.context.runWith({ tenant: ref }, () =>
      this.actors.send(
        tenantActor(slug),
        async (uow): Promise<ProvisionOutcome> => {
          const row = await this.lifecycle.lockProvisioning(uow, slug);
          if (!row || row.id !== tenant.id) return 'gone';
          if (row.status !== 'provisioning') return 'already_done';
          const queryRunner = uow.manager.queryRunner!;
          // Waits while `npm run migrate` runs, so neither a new schema nor a spare can miss a migration.
          await lockForTransaction(queryRunner, TENANT_SCHEMA_LOCK, 'shared');
          tookSpare = await this.spares.takeInto(uow, row.schema_name);
          if (!tookSpare) await uow.query(`CREATE SCHEMA ${quoteSchema(row.schema_name)}`);
          const { version } = await this.migrator.applyInUnit(uow);
          const admin = row.pending_admin!;
          await seedNewTenant(
            uow,
            {
              userId: admin.user_id,
              email: admin.email,
              passwordHash: admin.password_hash,
              inviteTokenHash: admin.invite_token_hash ? Buffer.from(admin.invite_token_hash, 'hex') : null,
            },
            key,
          );
          await this.lifecycle.activate(uow, row.id, version);
          uow.emit('tenant.onboarded', subjects.tenant(slug), { tenant_id: row.id, slug, name: row.name, domains: row.domains, admin_user_id: admin.user_id, recovered }, row.id);
          return 'completed';
        },
        { asOwner: true },
      ),
    );
    this.registry.forget(slug);
    if (tookSpare && outcome === 'completed') void this.spareJobs.requestRefill();
    if (outcome === 'completed') this.metrics.tenantsOnboarded.inc({ outcome: recovered ? 'recovered' : 'completed' });
    return outcome;
  }

  /** Removes a tenant whose provisioning cannot finish, and says so with `tenant.provisioning_failed`. */
  async abandon(slug: string, tenantId: string, reason: string): Promise<boolean> {
    const removed = await this.actors.send(
      tenantActor(slug),
      async (uow) => {
        const schema = await this.lifecycle.removeProvisioning(uow, tenantId);
        if (!schema) return false;
        await uow.query(`DROP SCHEMA IF EXISTS ${quoteSchema(schema)} CASCADE`);
        await this.roles.drop(uow, schema);
        uow.emit('tenant.provisioning_failed', subjects.tenant(slug), { tenant_id: tenantId, slug, reason: reason.slice(0, 500) }, tenantId);
        return true;
      },
      { platform: true },
    );
    if (removed) {
      this.metrics.tenantsOnboarded.inc({ outcome: 'failed' });
      this.logger.warn({ slug, tenant_id: tenantId, reason }, 'tenant provisioning abandoned; nothing was kept');
    }
    return removed;
  }
}
