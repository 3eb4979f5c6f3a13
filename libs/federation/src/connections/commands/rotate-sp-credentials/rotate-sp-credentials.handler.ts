import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { connectionActor, connectionEventData, getConnection } from '../../connection-row';
import { ConnectionStore } from '../../connection-store';
import { ConnectionResponse, toConnectionResponse } from '../../dto/connection.response';
import { newSpCredential } from '../../sp-credentials';
import { RotateSpCredentialsCommand } from './rotate-sp-credentials.command';

/**
 * New SP signing and encryption keys for a SAML connection. The new signing key signs AuthnRequests
 * and logout messages at once (the IdP needs the new certificate from the SP metadata, as after any
 * rotation). The previous encryption key is kept, sealed, to decrypt assertions an IdP still encrypts
 * to the old certificate until it reads the new metadata; the next rotation drops it.
 */
@CommandHandler(RotateSpCredentialsCommand)
export class RotateSpCredentialsHandler implements ICommandHandler<RotateSpCredentialsCommand, ConnectionResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    private readonly store: ConnectionStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(cmd: RotateSpCredentialsCommand): Promise<ConnectionResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const row = await this.actors.send(connectionActor(tenant.id, cmd.id), async (uow) => {
      const current = await getConnection(uow, cmd.id, 'FOR UPDATE');
      if (current.type !== 'saml' || !current.config.saml)
        throw new DomainError('validation.failed', undefined, [{ field: 'type', issue: 'only SAML connections have SP keys' }]);
      const name = `${tenant.slug} ${current.name}`;
      const [signing, encryption] = await Promise.all([newSpCredential(name, 'signing'), newSpCredential(name, 'encryption')]);
      const [stored] = await uow.query<{ secrets: Buffer | null }[]>('SELECT secrets FROM connections WHERE id = $1', [current.id]);
      const secrets = this.store.openToRewrite(current.id, stored?.secrets ?? null);
      const sealed = this.store.seal(current.id, {
        ...secrets,
        sp_signing_key: signing.privateKeyPem,
        sp_encryption_key: encryption.privateKeyPem,
        previous_sp_encryption_key: secrets.sp_encryption_key,
      });
      const saml = { ...current.config.saml, sp_signing_certificate: signing.certificatePem, sp_encryption_certificate: encryption.certificatePem };
      await uow.query(`UPDATE connections SET config = $2, secrets = $3, secrets_kek_id = $4, updated_at = now() WHERE id = $1`, [
        current.id,
        { ...current.config, saml },
        sealed.sealed,
        sealed.kekId,
      ]);
      const updated = await getConnection(uow, current.id);
      uow.emit('federation.connection.updated', subjects.connection(current.id), {
        ...connectionEventData(updated),
        changed: ['saml.sp_signing_certificate', 'saml.sp_encryption_certificate', 'saml.sp_signing_key', 'saml.sp_encryption_key'],
      });
      return updated;
    });
    return toConnectionResponse(this.config.CREDENCE_BASE_URL, tenant.slug, row);
  }
}
