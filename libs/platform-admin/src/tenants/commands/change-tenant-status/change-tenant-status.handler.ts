import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantLifecycleStore, TenantRegistry, TenantStatus, TenantStore } from '@credence/tenancy';
import { TenantResponse, toTenantResponse } from '../../dto/tenant.response';
import { loadTenant, tenantActor } from '../../tenant-actor';
import { ChangeTenantStatusCommand } from './change-tenant-status.command';

/** Which states each change may start from. Resume also cancels an offboarding still in its grace period. */
const ALLOWED_FROM: Record<ChangeTenantStatusCommand['change'], TenantStatus[]> = {
  suspend: ['active'],
  resume: ['suspended', 'offboarding'],
};

@CommandHandler(ChangeTenantStatusCommand)
export class ChangeTenantStatusHandler implements ICommandHandler<ChangeTenantStatusCommand, TenantResponse> {
  constructor(
    private readonly actors: ActorSystem,
    private readonly registry: TenantRegistry,
    private readonly tenants: TenantStore,
    private readonly lifecycle: TenantLifecycleStore,
  ) {}

  async execute(cmd: ChangeTenantStatusCommand): Promise<TenantResponse> {
    const row = await this.actors.send(
      tenantActor(cmd.slug),
      async (uow) => {
        const current = await loadTenant(this.tenants, uow, cmd.slug);
        if (!ALLOWED_FROM[cmd.change].includes(current.status)) {
          throw new DomainError('tenant.invalid_state', `Cannot ${cmd.change} a tenant that is ${current.status}.`);
        }
        if (current.status === 'offboarding' && current.purge_after && current.purge_after.getTime() <= Date.now()) {
          throw new DomainError('tenant.invalid_state', 'The grace period is over; the tenant is being purged.');
        }
        const aggregate = subjects.tenant(cmd.slug);
        const data = { tenant_id: current.id, slug: cmd.slug };
        if (cmd.change === 'suspend') {
          await this.lifecycle.suspend(uow, current.id);
          uow.emit('tenant.suspended', aggregate, data, current.id);
        } else {
          await this.lifecycle.resume(uow, current.id);
          uow.emit('tenant.resumed', aggregate, data, current.id);
        }
        return loadTenant(this.tenants, uow, cmd.slug);
      },
      { platform: true },
    );
    this.registry.forget(cmd.slug);
    return toTenantResponse(row);
  }
}
