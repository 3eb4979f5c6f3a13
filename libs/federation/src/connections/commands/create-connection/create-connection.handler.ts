import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import type { ConnectionSecrets, LdapSettings, OidcSettings, SamlSettings } from '../../connection';
import { connectionConflict, connectionEventData, getConnection, replaceDomains } from '../../connection-row';
import { ConnectionSettings } from '../../connection-settings';
import { ConnectionStore } from '../../connection-store';
import { ConnectionResponse, toConnectionResponse } from '../../dto/connection.response';
import { newSpCredential } from '../../sp-credentials';
import { CreateConnectionCommand } from './create-connection.command';

/**
 * Checks everything first (type object, URLs, the IdP source fetched or parsed, domains, roles), then
 * writes the connection, its domains and its sealed secrets in one transaction with the created event.
 * A SAML connection gets its own SP signing and encryption key pairs; the private keys only sealed.
 */
@CommandHandler(CreateConnectionCommand)
export class CreateConnectionHandler implements ICommandHandler<CreateConnectionCommand, ConnectionResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly settings: ConnectionSettings,
    private readonly store: ConnectionStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(cmd: CreateConnectionCommand): Promise<ConnectionResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const { input } = cmd;
    const others = (['saml', 'oidc', 'ldap'] as const).filter((t) => t !== input.type && input[t] !== undefined);
    if (!input[input.type] || others.length) {
      throw new DomainError('validation.failed', undefined, [{ field: input.type, issue: `a ${input.type} connection needs the ${input.type} object and no other type's` }]);
    }
    const domains = input.domains ?? [];
    await this.settings.assertTenantDomains(tenant.id, domains);
    const id = uuidv7();
    const { config, secrets } = await this.typeSettings(id, tenant.slug, cmd);
    const sealed = this.store.seal(id, secrets);
    const jit = input.jit ?? { enabled: false, default_roles: [] };
    const rules = (input.group_role_mapping ?? []).map((r) => ({ group: r.group, role: r.role }));
    const row = await this.runner
      .inTenant(async (uow) => {
        await this.settings.assertRolesExist(uow, [
          { field: 'jit.default_roles', roles: jit.default_roles },
          { field: 'group_role_mapping', roles: rules.map((r) => r.role) },
        ]);
        await uow.query(
          `INSERT INTO connections (id, type, name, enabled, jit, attribute_mapping, group_role_mapping, config, secrets, secrets_kek_id, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
            id,
            input.type,
            input.name,
            input.enabled ?? true,
            { enabled: jit.enabled, default_roles: jit.default_roles },
            { ...input.attribute_mapping },
            JSON.stringify(rules),
            config,
            sealed.sealed,
            sealed.kekId,
            this.context.principal,
          ],
        );
        await replaceDomains(uow, id, domains);
        const created = await getConnection(uow, id);
        uow.emit('federation.connection.created', subjects.connection(id), connectionEventData(created));
        return created;
      })
      .catch((err: unknown) => {
        throw connectionConflict(err);
      });
    return toConnectionResponse(this.config.CREDENCE_BASE_URL, tenant.slug, row);
  }

  private async typeSettings(
    id: string,
    slug: string,
    cmd: CreateConnectionCommand,
  ): Promise<{ config: { saml?: SamlSettings; oidc?: OidcSettings; ldap?: LdapSettings }; secrets: ConnectionSecrets }> {
    const { input } = cmd;
    if (input.type === 'saml') {
      const idp = await this.settings.saml(input.saml!, await this.settings.samlSource(input.saml!));
      const name = `${slug} ${input.name}`;
      const [signing, encryption] = await Promise.all([newSpCredential(name, 'signing'), newSpCredential(name, 'encryption')]);
      return {
        config: { saml: { ...idp, sp_signing_certificate: signing.certificatePem, sp_encryption_certificate: encryption.certificatePem } },
        secrets: { sp_signing_key: signing.privateKeyPem, sp_encryption_key: encryption.privateKeyPem },
      };
    }
    if (input.type === 'oidc') {
      const { settings, clientSecret, privateKey } = this.settings.oidc(input.oidc!);
      return { config: { oidc: settings }, secrets: { client_secret: clientSecret, client_private_key: privateKey } };
    }
    const { settings, bindPassword } = this.settings.ldap(input.ldap!);
    return { config: { ldap: settings }, secrets: { bind_password: bindPassword } };
  }
}
