import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantLifecycleStore, TenantRegistry, TenantSettingsWriter, TenantStore } from '@credence/tenancy';
import { TenantResponse, toTenantResponse } from '../../dto/tenant.response';
import { loadTenant, tenantActor } from '../../tenant-actor';
import { UpdateTenantCommand } from './update-tenant.command';

@CommandHandler(UpdateTenantCommand)
export class UpdateTenantHandler implements ICommandHandler<UpdateTenantCommand, TenantResponse> {
  constructor(
    private readonly actors: ActorSystem,
    private readonly registry: TenantRegistry,
    private readonly tenants: TenantStore,
    private readonly lifecycle: TenantLifecycleStore,
    private readonly settingsWriter: TenantSettingsWriter,
  ) {}

  async execute(cmd: UpdateTenantCommand): Promise<TenantResponse> {
    try {
      const row = await this.actors.send(
        tenantActor(cmd.slug),
        async (uow) => {
          const current = await loadTenant(this.tenants, uow, cmd.slug);
          if (current.status === 'deleted') throw new DomainError('tenant.invalid_state', 'A deleted tenant cannot be changed.');
          if (current.status === 'offboarding' && current.purge_after && current.purge_after.getTime() <= Date.now()) {
            throw new DomainError('tenant.invalid_state', 'The grace period is over; the tenant is being purged.');
          }
          const changed: string[] = [];
          const { name, domains, settings } = cmd.changes;
          if (name !== undefined && name !== current.name) {
            await this.lifecycle.rename(uow, current.id, name);
            changed.push('name');
          }
          if (settings) {
            // The same owner, limits and cross-key rules as the tenant admin's PATCH /v1/t/{tenant}/settings/*.
            const result = await this.settingsWriter.change(uow, current.id, settings, (key) => `settings.${key}`);
            changed.push(...(result?.changed ?? []).map((key) => `settings.${key}`));
          }
          if (domains !== undefined && [...domains].sort().join() !== current.domains.join()) {
            await this.lifecycle.replaceDomains(uow, current.id, domains);
            changed.push('domains');
          }
          if (changed.length) {
            await this.lifecycle.touch(uow, current.id);
            uow.emit('tenant.updated', subjects.tenant(cmd.slug), { tenant_id: current.id, slug: cmd.slug, changed }, current.id);
          }
          return loadTenant(this.tenants, uow, cmd.slug);
        },
        { platform: true },
      );
      return toTenantResponse(row);
    } finally {
      this.registry.forget(cmd.slug);
    }
  }
}
