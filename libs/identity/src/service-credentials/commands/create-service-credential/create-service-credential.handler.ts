import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { RequestContext } from '@credence/context';
import { subjects } from '@credence/contracts';
import { newSecretToken, sha256 } from '@credence/crypto';
import { TenantTransactionRunner } from '@credence/tenancy';
import {
  CreatedServiceCredentialResponse,
  SERVICE_CREDENTIAL_COLUMNS,
  serviceCredentialEventData,
  ServiceCredentialRow,
  toServiceCredentialResponse,
} from '../../dto/service-credential.response';
import { CreateServiceCredentialCommand } from './create-service-credential.command';

/** A client id (public, 128 random bits) and a 256-bit secret shown once; only the secret's SHA-256 is stored. */
@CommandHandler(CreateServiceCredentialCommand)
export class CreateServiceCredentialHandler implements ICommandHandler<CreateServiceCredentialCommand, CreatedServiceCredentialResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
  ) {}

  async execute(cmd: CreateServiceCredentialCommand): Promise<CreatedServiceCredentialResponse> {
    this.runner.assertAmbientTenant(cmd.tenantId);
    const clientId = `csc_${randomBytes(16).toString('base64url')}`;
    const secret = newSecretToken('css_');
    const row = await this.runner.inTenant(async (uow) => {
      const [created] = await uow.query<ServiceCredentialRow[]>(
        `INSERT INTO service_credentials (id, client_id, name, secret_hash, created_by, permissions) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${SERVICE_CREDENTIAL_COLUMNS}`,
        [uuidv7(), clientId, cmd.name, sha256(secret), this.context.principal, [...cmd.permissions]],
      );
      uow.emit('service_credential.created', subjects.serviceCredential(created.id), serviceCredentialEventData(created));
      return created;
    });
    return { ...toServiceCredentialResponse(row), client_secret: secret };
  }
}
