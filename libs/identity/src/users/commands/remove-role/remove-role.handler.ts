import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { TargetRank } from '../../../authz/target-rank.service';
import { findRole } from '../../../roles/role-row';
import { toUserResponse, UserResponse } from '../../dto/user.response';
import { loadUser, lockUser, userActor } from '../../user-actor';
import { assertAnotherAdminRemains } from '../../last-admin';
import { RemoveRoleCommand } from './remove-role.command';

/** Removing a role the user does not hold changes nothing and emits nothing. */
@CommandHandler(RemoveRoleCommand)
export class RemoveRoleHandler implements ICommandHandler<RemoveRoleCommand, UserResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    private readonly rank: TargetRank,
  ) {}

  async execute(cmd: RemoveRoleCommand): Promise<UserResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const row = await this.rank.recordingRefusals(() =>
      this.actors.send(userActor(tenant.id, cmd.userId), async (uow) => {
        await lockUser(uow, cmd.userId);
        await this.rank.assertMayActOn(uow, cmd.callerId, cmd.userId, 'role', 'manage');
        const role = await findRole(uow, cmd.role);
        if (!role) throw new DomainError('role.not_found');
        if (role.name === 'tenant_admin') await assertAnotherAdminRemains(uow, tenant.id, cmd.userId);
        const removed = await uow.query<unknown[]>(`DELETE FROM user_roles WHERE user_id = $1 AND role_id = $2 RETURNING user_id`, [cmd.userId, role.id]);
        if (removed.length) uow.emit('user.role.removed', subjects.user(cmd.userId), { user_id: cmd.userId, role_id: role.id, role: role.name });
        return loadUser(uow, cmd.userId);
      }),
    );
    return toUserResponse(row);
  }
}
