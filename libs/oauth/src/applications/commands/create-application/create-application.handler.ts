import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { RequestContext } from '@credence/context';
import { subjects } from '@credence/contracts';
import { TenantTransactionRunner } from '@credence/tenancy';
import { APPLICATION_COLUMNS, applicationEventData, ApplicationRow } from '../../application-row';
import { newClientId, newClientSecret } from '../../client-secret';
import { ApplicationWithSecretResponse, toApplicationResponse } from '../../dto/application.response';
import { RedirectUriPolicy } from '../../redirect-uri-policy';
import { CreateApplicationCommand } from './create-application.command';

/**
 * A confidential app gets a 256-bit secret, returned here once; only its SHA-256 is stored. Connection
 * ids are kept as given: they are checked against the connections table once it exists.
 */
@CommandHandler(CreateApplicationCommand)
export class CreateApplicationHandler implements ICommandHandler<CreateApplicationCommand, ApplicationWithSecretResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly uris: RedirectUriPolicy,
  ) {}

  async execute(cmd: CreateApplicationCommand): Promise<ApplicationWithSecretResponse> {
    this.runner.assertAmbientTenant(cmd.tenantId);
    this.uris.assertValid(cmd.type, { redirect_uris: cmd.redirectUris, post_logout_redirect_uris: cmd.postLogoutRedirectUris }, cmd.initiateLoginUri);
    const secret = cmd.type === 'confidential' ? newClientSecret() : undefined;
    const row = await this.runner.inTenant(async (uow) => {
      const [created] = await uow.query<ApplicationRow[]>(
        `INSERT INTO applications (id, client_id, name, type, secret_hash, redirect_uris, post_logout_redirect_uris, connections, initiate_login_uri, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${APPLICATION_COLUMNS}`,
        [
          uuidv7(),
          newClientId(),
          cmd.name,
          cmd.type,
          secret?.hash ?? null,
          cmd.redirectUris,
          cmd.postLogoutRedirectUris,
          cmd.connections,
          cmd.initiateLoginUri,
          this.context.principal,
        ],
      );
      uow.emit('application.created', subjects.application(created.id), applicationEventData(created));
      return created;
    });
    return secret ? { ...toApplicationResponse(row), client_secret: secret.secret } : toApplicationResponse(row);
  }
}
