import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { applicationActor } from '../../application-row';
import { DeleteApplicationCommand } from './delete-application.command';

/** The row goes: its client_id stops authenticating at once and its redirect URIs stop being trusted. */
@CommandHandler(DeleteApplicationCommand)
export class DeleteApplicationHandler implements ICommandHandler<DeleteApplicationCommand, void> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
  ) {}

  async execute(cmd: DeleteApplicationCommand): Promise<void> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    await this.actors.send(applicationActor(tenant.id, cmd.id), async (uow) => {
      const [gone] = await uow.query<{ id: string; client_id: string; name: string }[]>(`DELETE FROM applications WHERE id = $1 RETURNING id, client_id, name`, [cmd.id]);
      if (!gone) throw new DomainError('application.not_found');
      uow.emit('application.deleted', subjects.application(gone.id), { application_id: gone.id, client_id: gone.client_id, name: gone.name });
    });
  }
}
