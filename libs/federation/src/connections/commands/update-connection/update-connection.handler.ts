import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import type { ConnectionSecrets, SamlSettings } from '../../connection';
import { connectionActor, connectionConflict, connectionEventData, ConnectionRecord, getConnection, replaceDomains } from '../../connection-row';
import { ConnectionSettings } from '../../connection-settings';
import { ConnectionStore } from '../../connection-store';
import { ConnectionResponse, toConnectionResponse } from '../../dto/connection.response';
import type { UpdateConnectionDto } from '../../dto/update-connection.dto';
import type { IdpMetadata } from '../../idp-metadata';
import { UpdateConnectionCommand } from './update-connection.command';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Read, decide and write in the connection's actor on the row locked FOR UPDATE, so concurrent PATCHes
 * apply one after another. A metadata URL or XML is fetched and parsed before (outside the transaction):
 * the IdP settings it gives replace the stored ones. `changed` names top-level fields and `<type>.<field>`.
 */
@CommandHandler(UpdateConnectionCommand)
export class UpdateConnectionHandler implements ICommandHandler<UpdateConnectionCommand, ConnectionResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    private readonly settings: ConnectionSettings,
    private readonly store: ConnectionStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(cmd: UpdateConnectionCommand): Promise<ConnectionResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const c = cmd.changes;
    if (c.domains) await this.settings.assertTenantDomains(tenant.id, c.domains);
    // Read before the transaction (a metadata source is fetched there, outside it); the write below locks the row.
    const current = c.saml ? (await this.store.find(cmd.id))?.saml : undefined;
    const idp = c.saml ? await this.settings.samlSource(c.saml, current ?? ({} as SamlSettings)) : undefined;
    const row = await this.actors
      .send(connectionActor(tenant.id, cmd.id), async (uow) => {
        const current = await getConnection(uow, cmd.id, 'FOR UPDATE');
        const wrongType = (['saml', 'oidc', 'ldap'] as const).find((t) => t !== current.type && c[t] !== undefined);
        if (wrongType) throw new DomainError('validation.failed', undefined, [{ field: wrongType, issue: `this is a ${current.type} connection; its type cannot change` }]);
        return this.apply(uow, current, c, idp);
      })
      .catch((err: unknown) => {
        throw connectionConflict(err);
      });
    return toConnectionResponse(this.config.CREDENCE_BASE_URL, tenant.slug, row);
  }

  private async apply(uow: UnitOfWork, current: ConnectionRecord, c: UpdateConnectionDto, idp: IdpMetadata | undefined): Promise<ConnectionRecord> {
    const next = {
      name: c.name ?? current.name,
      enabled: c.enabled ?? current.enabled,
      jit: c.jit ? { enabled: c.jit.enabled, default_roles: c.jit.default_roles } : current.jit,
      attribute_mapping: c.attribute_mapping ? { ...c.attribute_mapping } : current.attribute_mapping,
      group_role_mapping: c.group_role_mapping ? c.group_role_mapping.map((r) => ({ group: r.group, role: r.role })) : current.group_role_mapping,
      config: { ...current.config },
    };
    await this.settings.assertRolesExist(uow, [
      ...(c.jit ? [{ field: 'jit.default_roles', roles: next.jit.default_roles }] : []),
      ...(c.group_role_mapping ? [{ field: 'group_role_mapping', roles: next.group_role_mapping.map((r) => r.role) }] : []),
    ]);
    const newSecrets: ConnectionSecrets = {};
    if (c.saml && current.config.saml) {
      const saml = current.config.saml;
      next.config.saml = {
        ...(await this.settings.saml(c.saml, idp, saml)),
        sp_signing_certificate: saml.sp_signing_certificate,
        sp_encryption_certificate: saml.sp_encryption_certificate,
      };
    }
    if (c.oidc) {
      const { settings, clientSecret, privateKey } = this.settings.oidc(c.oidc, current.config.oidc);
      next.config.oidc = settings;
      if (clientSecret !== undefined) newSecrets.client_secret = clientSecret;
      if (privateKey !== undefined) newSecrets.client_private_key = privateKey;
    }
    if (c.ldap) {
      const { settings, bindPassword } = this.settings.ldap(c.ldap, current.config.ldap);
      next.config.ldap = settings;
      if (bindPassword !== undefined) newSecrets.bind_password = bindPassword;
    }
    const changed = (['name', 'enabled', 'jit', 'attribute_mapping', 'group_role_mapping'] as const).filter((f) => c[f] !== undefined && !same(next[f], current[f])) as string[];
    const type = current.type;
    const before = (current.config[type] ?? {}) as unknown as Record<string, unknown>;
    const after = (next.config[type] ?? {}) as unknown as Record<string, unknown>;
    changed.push(...[...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !same(before[k], after[k])).map((k) => `${type}.${k}`));
    changed.push(...Object.keys(newSecrets).map((k) => `${type}.${k}`));
    const domainsChanged = c.domains !== undefined && !same([...c.domains].sort(), current.domains);
    if (domainsChanged) changed.push('domains');
    if (!changed.length) return current;

    let sealed: { sealed: Buffer; kekId: string } | undefined;
    if (Object.keys(newSecrets).length) {
      const [stored] = await uow.query<{ secrets: Buffer | null }[]>('SELECT secrets FROM connections WHERE id = $1', [current.id]);
      sealed = this.store.seal(current.id, { ...this.store.openToRewrite(current.id, stored?.secrets ?? null), ...newSecrets });
    }
    await uow.query(
      `UPDATE connections SET name = $2, enabled = $3, jit = $4, attribute_mapping = $5, group_role_mapping = $6, config = $7,
              secrets = coalesce($8, secrets), secrets_kek_id = coalesce($9, secrets_kek_id), updated_at = now()
        WHERE id = $1`,
      [
        current.id,
        next.name,
        next.enabled,
        next.jit,
        next.attribute_mapping,
        JSON.stringify(next.group_role_mapping),
        next.config,
        sealed?.sealed ?? null,
        sealed?.kekId ?? null,
      ],
    );
    if (domainsChanged) await replaceDomains(uow, current.id, c.domains!);
    const updated = await getConnection(uow, current.id);
    uow.emit('federation.connection.updated', subjects.connection(current.id), { ...connectionEventData(updated), changed });
    return updated;
  }
}
