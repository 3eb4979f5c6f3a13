import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { TenantTransactionRunner } from '@credence/tenancy';
import { TargetRank } from '../../../authz/target-rank.service';
import { lockUser, userActor } from '../../user-actor';
import { USER_SESSIONS_REVOKER, UserSessionsRevoker } from '../../user-sessions-revoker';
import { assertAnotherAdminRemains } from '../../last-admin';
import { DeleteUserCommand } from './delete-user.command';

/** Removes the user and, by cascade, their roles, sessions, history and codes; their sessions are revoked first. */
@CommandHandler(DeleteUserCommand)
export class DeleteUserHandler implements ICommandHandler<DeleteUserCommand, void> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    @Inject(USER_SESSIONS_REVOKER) private readonly sessions: UserSessionsRevoker,
    private readonly rank: TargetRank,
  ) {}

  async execute(cmd: DeleteUserCommand): Promise<void> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    await this.rank.recordingRefusals(() =>
      this.actors.send(userActor(tenant.id, cmd.userId), async (uow) => {
        await lockUser(uow, cmd.userId);
        await this.rank.assertMayActOn(uow, cmd.callerId, cmd.userId, 'user', 'delete');
        await assertAnotherAdminRemains(uow, tenant.id, cmd.userId);
        await this.sessions.revokeAllForUser(uow, cmd.userId, 'user_deleted');
        await uow.query(`DELETE FROM users WHERE id = $1`, [cmd.userId]);
        uow.emit('user.deleted', subjects.user(cmd.userId), { user_id: cmd.userId });
      }),
    );
  }
}
