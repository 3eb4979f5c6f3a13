import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { ActorSystem } from '@credence/actors';
import { newSecretToken, PasswordHasher, sha256 } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { newPasswordProblem } from '@credence/identity';
import { assertValidSettings, DEFAULT_TENANT_SETTINGS, PendingAdmin, schemaNameFor, TenantLifecycleStore, TenantStore } from '@credence/tenancy';
import { OnboardedTenantResponse, toTenantResponse } from '../../dto/tenant.response';
import { TenantProvisioner } from '../../provisioning/tenant-provisioner';
import { tenantActor } from '../../tenant-actor';
import { OnboardTenantCommand } from './onboard-tenant.command';

/**
 * Onboarding in two commits. First the registry row (status `provisioning`, slug and domains
 * claimed), then the schema and its contents with the switch to `active`. A crash between or
 * during them leaves a `provisioning` row that recovery completes or removes.
 */
@CommandHandler(OnboardTenantCommand)
export class OnboardTenantHandler implements ICommandHandler<OnboardTenantCommand, OnboardedTenantResponse> {
  private readonly logger = new Logger(OnboardTenantHandler.name);

  constructor(
    private readonly actors: ActorSystem,
    private readonly tenants: TenantStore,
    private readonly lifecycle: TenantLifecycleStore,
    private readonly provisioner: TenantProvisioner,
    private readonly hasher: PasswordHasher,
  ) {}

  async execute(cmd: OnboardTenantCommand): Promise<OnboardedTenantResponse> {
    // The limits and cross-key rules every settings write goes through (the DTO has checked each key alone).
    const given = Object.keys(cmd.settings).filter((key) => cmd.settings[key as keyof typeof cmd.settings] !== undefined);
    assertValidSettings(cmd.settings, given, (key) => `settings.${key}`);
    const minLength = cmd.settings.password_min_length ?? DEFAULT_TENANT_SETTINGS.password_min_length;
    // The same policy as every other password (length, common list), before anything is claimed.
    const problem = cmd.admin.password !== undefined ? newPasswordProblem(cmd.admin.password, minLength) : undefined;
    if (problem) {
      throw new DomainError('validation.failed', undefined, [{ field: 'admin.password', issue: `admin.${problem}` }]);
    }
    const id = uuidv7();
    const schema = schemaNameFor(id);
    const inviteToken = cmd.admin.password ? undefined : newSecretToken('inv_');
    const admin: PendingAdmin = {
      user_id: uuidv7(),
      email: cmd.admin.email,
      password_hash: cmd.admin.password ? await this.hasher.hash(cmd.admin.password) : null,
      invite_token_hash: inviteToken ? sha256(inviteToken).toString('hex') : null,
    };

    await this.claim(cmd, id, schema, admin);
    try {
      await this.provisioner.complete(cmd.slug, { id, schema }, false);
    } catch (err) {
      this.logger.error({ err, slug: cmd.slug }, 'provisioning failed');
      await this.provisioner.abandon(cmd.slug, id, err instanceof Error ? err.message : String(err));
      throw new DomainError('tenant.provisioning_failed');
    }

    const row = await this.tenants.findById(id);
    if (!row) throw new DomainError('tenant.provisioning_failed');
    return {
      ...toTenantResponse(row),
      admin: { user_id: admin.user_id, email: admin.email, status: inviteToken ? 'invited' : 'active', ...(inviteToken ? { invite_token: inviteToken } : {}) },
    };
  }

  private async claim(cmd: OnboardTenantCommand, id: string, schema: string, admin: PendingAdmin): Promise<void> {
    await this.actors.send(
      tenantActor(cmd.slug),
      (uow) => this.lifecycle.claim(uow, { id, slug: cmd.slug, name: cmd.name, schema, settings: cmd.settings, pendingAdmin: admin, domains: cmd.domains }),
      { platform: true },
    );
  }
}
