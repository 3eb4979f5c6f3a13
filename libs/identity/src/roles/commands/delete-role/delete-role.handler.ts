import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { getRole, roleActor } from '../../role-row';
import { DeleteRoleCommand } from './delete-role.command';

/** Deleting a custom role takes it from everyone who held it, each with user.role.removed. */
@CommandHandler(DeleteRoleCommand)
export class DeleteRoleHandler implements ICommandHandler<DeleteRoleCommand, void> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
  ) {}

  async execute(cmd: DeleteRoleCommand): Promise<void> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const { id } = await this.runner.inTenant((uow) => getRole(uow, cmd.role));
    await this.actors.send(roleActor(tenant.id, id), async (uow) => {
      // FOR UPDATE makes assignments in flight (which hold FOR SHARE) finish first, and later ones find no role.
      const role = await getRole(uow, id, 'FOR UPDATE');
      if (role.builtin) throw new DomainError('role.builtin');
      const holders = await uow.query<{ user_id: string }[]>(`DELETE FROM user_roles WHERE role_id = $1 RETURNING user_id`, [id]);
      for (const h of holders) uow.emit('user.role.removed', subjects.user(h.user_id), { user_id: h.user_id, role_id: id, role: role.name });
      await uow.query(`DELETE FROM roles WHERE id = $1`, [id]);
      uow.emit('role.deleted', subjects.role(id), { role_id: id, name: role.name });
    });
  }
}
