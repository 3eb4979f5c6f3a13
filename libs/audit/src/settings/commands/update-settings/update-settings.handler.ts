import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { PLATFORM_TENANT_ID, subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantRegistry, TenantSettings, TenantTransactionRunner } from '@credence/tenancy';
import { assertConsistent, effective, GROUP_KEYS, responseOf, SettingsResponse } from '../../settings-groups';
import { UpdateSettingsCommand } from './update-settings.command';

/**
 * A tenant admin's change to retention or detection settings. It goes through the tenant's actor
 * (`tenant/<slug>` on the platform, the key PATCH /v1/admin/tenants uses), so it serialises with a
 * platform admin's changes, and emits tenant.updated exactly as that route does. The platform
 * admin's UpdateTenantCommand is not reused: its handler is not part of the audit app.
 */
@CommandHandler(UpdateSettingsCommand)
export class UpdateSettingsHandler implements ICommandHandler<UpdateSettingsCommand, SettingsResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    private readonly registry: TenantRegistry,
  ) {}

  async execute(cmd: UpdateSettingsCommand): Promise<SettingsResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    try {
      return await this.actors.send(
        { kind: 'tenant', tenantId: PLATFORM_TENANT_ID, id: tenant.slug },
        async (uow) => {
          const [row] = await uow.query<{ status: string; settings: TenantSettings | null }[]>(
            'SELECT status, settings FROM platform.tenants WHERE id = $1 FOR UPDATE',
            [tenant.id],
          );
          if (!row || row.status !== 'active') throw new DomainError('tenant.not_found');
          const stored: Record<string, unknown> = { ...(row.settings ?? {}) };
          const next: Record<string, unknown> = { ...stored };
          const set: Record<string, number> = {};
          const removed: string[] = [];
          for (const key of GROUP_KEYS[cmd.group]) {
            const value = cmd.changes[key];
            if (value === undefined) continue;
            if (value === null) {
              if (Object.hasOwn(stored, key)) removed.push(key);
              delete next[key];
            } else {
              if (stored[key] !== value) set[key] = value;
              next[key] = value;
            }
          }
          assertConsistent(cmd.group, effective(next as TenantSettings));
          const changed = [...Object.keys(set), ...removed];
          if (changed.length) {
            await uow.query(`UPDATE platform.tenants SET settings = (settings - $2::text[]) || $3::jsonb, updated_at = now() WHERE id = $1`, [
              tenant.id,
              removed,
              JSON.stringify(set),
            ]);
            uow.emit('tenant.updated', subjects.tenant(tenant.slug), { tenant_id: tenant.id, slug: tenant.slug, changed: changed.map((k) => `settings.${k}`) }, tenant.id);
          }
          return responseOf(cmd.group, next as TenantSettings);
        },
        { platform: true },
      );
    } finally {
      this.registry.forget(tenant.slug);
    }
  }
}
