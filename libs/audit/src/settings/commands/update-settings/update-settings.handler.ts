import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { PLATFORM_TENANT_ID, subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { SettingsChanges, TenantRegistry, TenantSettingsWriter, TenantStore, TenantTransactionRunner } from '@credence/tenancy';
import { GROUP_KEYS, responseOf, SettingsResponse } from '../../settings-groups';
import { UpdateSettingsCommand } from './update-settings.command';

/**
 * A tenant admin's change to retention or detection settings. It goes through the tenant's actor
 * (`tenant/<slug>` on the platform, the key PATCH /v1/admin/tenants uses) and the same settings
 * writer (limits, cross-key rules), so it serialises with a platform admin's changes, and emits
 * tenant.updated exactly as that route does. The platform admin's UpdateTenantCommand is not
 * reused: its handler is not part of the audit app.
 */
@CommandHandler(UpdateSettingsCommand)
export class UpdateSettingsHandler implements ICommandHandler<UpdateSettingsCommand, SettingsResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    private readonly registry: TenantRegistry,
    private readonly tenants: TenantStore,
    private readonly settings: TenantSettingsWriter,
  ) {}

  async execute(cmd: UpdateSettingsCommand): Promise<SettingsResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    // Only the group's keys, in the group's order (the order tenant.updated names them in).
    const changes: SettingsChanges = Object.fromEntries(GROUP_KEYS[cmd.group].map((key) => [key, cmd.changes[key]]));
    try {
      return await this.actors.send(
        { kind: 'tenant', tenantId: PLATFORM_TENANT_ID, id: tenant.slug },
        async (uow) => {
          const current = await this.tenants.withSettings(tenant.id, uow);
          if (!current || current.status !== 'active') throw new DomainError('tenant.not_found');
          const result = await this.settings.change(uow, tenant.id, changes);
          if (!result) throw new DomainError('tenant.not_found');
          const { changed } = result;
          if (changed.length) {
            uow.emit('tenant.updated', subjects.tenant(tenant.slug), { tenant_id: tenant.id, slug: tenant.slug, changed: changed.map((k) => `settings.${k}`) }, tenant.id);
          }
          return responseOf(cmd.group, result.settings);
        },
        { platform: true },
      );
    } finally {
      this.registry.forget(tenant.slug);
    }
  }
}
