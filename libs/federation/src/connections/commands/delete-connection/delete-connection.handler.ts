import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { TenantTransactionRunner } from '@credence/tenancy';
import { connectionActor, connectionEventData, getConnection } from '../../connection-row';
import { DeleteConnectionCommand } from './delete-connection.command';

/** The connection goes with its domains, identity links and rule-granted role grants (ON DELETE CASCADE); users stay. */
@CommandHandler(DeleteConnectionCommand)
export class DeleteConnectionHandler implements ICommandHandler<DeleteConnectionCommand, void> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
  ) {}

  async execute(cmd: DeleteConnectionCommand): Promise<void> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    await this.actors.send(connectionActor(tenant.id, cmd.id), async (uow) => {
      const gone = await getConnection(uow, cmd.id, 'FOR UPDATE');
      await uow.query('DELETE FROM connections WHERE id = $1', [cmd.id]);
      uow.emit('federation.connection.deleted', subjects.connection(cmd.id), connectionEventData(gone));
    });
  }
}
