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
import { RevokeServiceCredentialCommand } from './revoke-service-credential.command';

/** Immediate: every client authentication reads the row. Revoking twice answers the same and emits once. */
@CommandHandler(RevokeServiceCredentialCommand)
export class RevokeServiceCredentialHandler implements ICommandHandler<RevokeServiceCredentialCommand, ServiceCredentialResponse> {
  constructor(private readonly runner: TenantTransactionRunner) {}

  async execute(cmd: RevokeServiceCredentialCommand): Promise<ServiceCredentialResponse> {
    this.runner.assertAmbientTenant(cmd.tenantId);
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
    return toServiceCredentialResponse(row);
  }
}
