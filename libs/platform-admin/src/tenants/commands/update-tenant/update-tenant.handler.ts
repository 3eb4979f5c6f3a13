import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantRegistry } from '@credence/tenancy';
import { TenantResponse, toTenantResponse } from '../../dto/tenant.response';
import { conflictFrom, insertDomains, loadTenant, tenantActor } from '../../tenant-actor';
import { UpdateTenantCommand } from './update-tenant.command';

@CommandHandler(UpdateTenantCommand)
export class UpdateTenantHandler implements ICommandHandler<UpdateTenantCommand, TenantResponse> {
  constructor(
    private readonly actors: ActorSystem,
    private readonly registry: TenantRegistry,
  ) {}

  async execute(cmd: UpdateTenantCommand): Promise<TenantResponse> {
    try {
      const row = await this.actors.send(
        tenantActor(cmd.slug),
        async (uow) => {
          const current = await loadTenant(uow, cmd.slug);
          if (current.status === 'deleted') throw new DomainError('tenant.invalid_state', 'A deleted tenant cannot be changed.');
          if (current.status === 'offboarding' && current.purge_after && current.purge_after.getTime() <= Date.now()) {
            throw new DomainError('tenant.invalid_state', 'The grace period is over; the tenant is being purged.');
          }
          const changed: string[] = [];
          const { name, domains, settings } = cmd.changes;
          if (name !== undefined && name !== current.name) {
            await uow.query('UPDATE platform.tenants SET name = $2 WHERE id = $1', [current.id, name]);
            changed.push('name');
          }
          const stored = current.settings as Record<string, unknown>;
          const changedSettings = Object.entries(settings ?? {}).filter(([key, value]) => stored[key] !== value);
          if (changedSettings.length) {
            await uow.query(`UPDATE platform.tenants SET settings = settings || $2::jsonb WHERE id = $1`, [
              current.id,
              JSON.stringify(Object.fromEntries(changedSettings)),
            ]);
            changed.push(...changedSettings.map(([key]) => `settings.${key}`));
          }
          if (domains !== undefined && [...domains].sort().join() !== current.domains.join()) {
            await uow.query('DELETE FROM platform.tenant_domains WHERE tenant_id = $1', [current.id]);
            await insertDomains(uow, current.id, domains);
            changed.push('domains');
          }
          if (changed.length) {
            await uow.query('UPDATE platform.tenants SET updated_at = now() WHERE id = $1', [current.id]);
            uow.emit('tenant.updated', subjects.tenant(cmd.slug), { tenant_id: current.id, slug: cmd.slug, changed }, current.id);
          }
          return loadTenant(uow, cmd.slug);
        },
        { platform: true },
      );
      return toTenantResponse(row);
    } catch (err) {
      throw conflictFrom(err) ?? err;
    } finally {
      this.registry.forget(cmd.slug);
    }
  }
}
