import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { APPLICATION_COLUMNS, applicationActor, ApplicationRow, getApplication } from '../../application-row';
import { newClientSecret } from '../../client-secret';
import { ApplicationWithSecretResponse, toApplicationResponse } from '../../dto/application.response';
import { RotateApplicationSecretCommand } from './rotate-application-secret.command';

/**
 * Replaces a confidential app's secret. There is no overlap: the old secret stops authenticating when
 * this commits (a leaked secret is the usual reason to rotate), so update the app right after.
 */
@CommandHandler(RotateApplicationSecretCommand)
export class RotateApplicationSecretHandler implements ICommandHandler<RotateApplicationSecretCommand, ApplicationWithSecretResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
  ) {}

  async execute(cmd: RotateApplicationSecretCommand): Promise<ApplicationWithSecretResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const secret = newClientSecret();
    const row = await this.actors.send(applicationActor(tenant.id, cmd.id), async (uow) => {
      const current = await getApplication(uow, cmd.id, 'FOR UPDATE');
      if (current.type !== 'confidential') throw new DomainError('application.not_confidential');
      const [rotated] = await uow.query<ApplicationRow[]>(
        `UPDATE applications SET secret_hash = $2, secret_rotated_at = now(), updated_at = now() WHERE id = $1 RETURNING ${APPLICATION_COLUMNS}`,
        [cmd.id, secret.hash],
      );
      uow.emit('application.secret_rotated', subjects.application(cmd.id), { application_id: rotated.id, client_id: rotated.client_id });
      return rotated;
    });
    return { ...toApplicationResponse(row), client_secret: secret.secret };
  }
}
