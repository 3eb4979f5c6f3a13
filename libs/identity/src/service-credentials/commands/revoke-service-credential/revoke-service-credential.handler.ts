import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import {
  SERVICE_CREDENTIAL_COLUMNS,
  serviceCredentialEventData,
  ServiceCredentialResponse,
  ServiceCredentialRow,
  toServiceCredentialResponse,
} from '../../dto/service-credential.response';
import { ServiceCredentialCache } from '../../service-credential-cache';
import { RevokeServiceCredentialCommand } from './revoke-service-credential.command';

/**
 * Immediate everywhere: once this answers, no process authenticates the credential from memory (the
 * cache's version changed after the commit). Revoking twice answers the same and emits once, and
 * announces again, so repeating a revocation whose announcement failed (503) completes it.
 */
@CommandHandler(RevokeServiceCredentialCommand)
export class RevokeServiceCredentialHandler implements ICommandHandler<RevokeServiceCredentialCommand, ServiceCredentialResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly cache: ServiceCredentialCache,
  ) {}

  async execute(cmd: RevokeServiceCredentialCommand): Promise<ServiceCredentialResponse> {
    this.runner.assertAmbientTenant(cmd.tenantId);
    // Once before, so that while Redis is down the revocation is refused before anything changes; the one after the commit is the one that counts.
    await this.cache.invalidate(cmd.tenantId, 'Service credentials cannot be revoked while Redis is unreachable.');
    const row = await this.runner.inTenant(async (uow) => {
      const [found] = await uow.query<ServiceCredentialRow[]>(`SELECT ${SERVICE_CREDENTIAL_COLUMNS} FROM service_credentials WHERE id = $1 FOR UPDATE`, [cmd.id]);
      if (!found) throw new DomainError('service_credential.not_found');
      if (found.revoked_at) return found;
      const [revoked] = await uow.query<ServiceCredentialRow[]>(`UPDATE service_credentials SET revoked_at = now() WHERE id = $1 RETURNING ${SERVICE_CREDENTIAL_COLUMNS}`, [
        cmd.id,
      ]);
      uow.emit('service_credential.revoked', subjects.serviceCredential(revoked.id), serviceCredentialEventData(revoked));
      return revoked;
    });
    await this.cache.invalidate(cmd.tenantId, 'The revocation is saved but not yet announced to every process; repeat the request.');
    return toServiceCredentialResponse(row);
  }
}
