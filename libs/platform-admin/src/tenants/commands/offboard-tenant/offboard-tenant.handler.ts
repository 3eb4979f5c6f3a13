import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantLifecycleStore, TenantRegistry, TenantStore } from '@credence/tenancy';
import { TenantResponse, toTenantResponse } from '../../dto/tenant.response';
import { PurgeScheduler } from '../../jobs/purge-scheduler';
import { loadTenant, tenantActor } from '../../tenant-actor';
import { OffboardTenantCommand } from './offboard-tenant.command';

/** Stops the tenant at once; its schema is dropped by a job once the grace period has passed. */
@CommandHandler(OffboardTenantCommand)
export class OffboardTenantHandler implements ICommandHandler<OffboardTenantCommand, TenantResponse> {
  constructor(
    private readonly actors: ActorSystem,
    private readonly registry: TenantRegistry,
    private readonly purges: PurgeScheduler,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tenants: TenantStore,
    private readonly lifecycle: TenantLifecycleStore,
  ) {}

  async execute(cmd: OffboardTenantCommand): Promise<TenantResponse> {
    const row = await this.actors.send(
      tenantActor(cmd.slug),
      async (uow) => {
        const current = await loadTenant(this.tenants, uow, cmd.slug);
        if (current.status === 'offboarding') return current;
        if (current.status !== 'active' && current.status !== 'suspended') {
          throw new DomainError('tenant.invalid_state', `Cannot offboard a tenant that is ${current.status}.`);
        }
        const purge_after = await this.lifecycle.startOffboarding(uow, current.id, this.config.TENANT_PURGE_GRACE_SECONDS);
        uow.emit('tenant.offboarding_started', subjects.tenant(cmd.slug), { tenant_id: current.id, slug: cmd.slug, purge_after: purge_after.toISOString() }, current.id);
        return loadTenant(this.tenants, uow, cmd.slug);
      },
      { platform: true },
    );
    this.registry.forget(cmd.slug);
    await this.purges.schedule(row.id, row.purge_after!);
    return toTenantResponse(row);
  }
}
