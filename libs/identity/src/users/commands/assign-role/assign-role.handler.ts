import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { TargetRank } from '../../../authz/target-rank.service';
import { findRole } from '../../../roles/role-row';
import { toUserResponse, UserResponse } from '../../dto/user.response';
import { loadUser, lockUser, userActor } from '../../user-actor';
import { AssignRoleCommand } from './assign-role.command';

/** Assigning a role the user already holds changes nothing and emits nothing. */
@CommandHandler(AssignRoleCommand)
export class AssignRoleHandler implements ICommandHandler<AssignRoleCommand, UserResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    private readonly rank: TargetRank,
  ) {}

  async execute(cmd: AssignRoleCommand): Promise<UserResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const row = await this.rank.recordingRefusals(() =>
      this.actors.send(userActor(tenant.id, cmd.userId), async (uow) => {
        await lockUser(uow, cmd.userId);
        await this.rank.assertMayActOn(uow, cmd.callerId, cmd.userId, 'role', 'manage');
        // FOR SHARE: a concurrent deletion of the role waits for this assignment, then takes it away with the role.
        const role = await findRole(uow, cmd.role, 'FOR SHARE');
        if (!role) throw new DomainError('role.not_found');
        const inserted = await uow.query<unknown[]>(`INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id`, [cmd.userId, role.id]);
        if (inserted.length) uow.emit('user.role.assigned', subjects.user(cmd.userId), { user_id: cmd.userId, role_id: role.id, role: role.name });
        return loadUser(uow, cmd.userId);
      }),
    );
    return toUserResponse(row);
  }
}
