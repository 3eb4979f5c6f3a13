import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { TenantTransactionRunner } from '@credence/tenancy';
import { TargetRank } from '../../../authz/target-rank.service';
import { toUserResponse, userEventData, UserResponse } from '../../dto/user.response';
import { loadUser, lockUser, userActor } from '../../user-actor';
import { USER_SESSIONS_REVOKER, UserSessionsRevoker } from '../../user-sessions-revoker';
import { assertAnotherAdminRemains } from '../../last-admin';
import { ChangeUserStatusCommand } from './change-user-status.command';

/**
 * Disabling ends the user's sessions in the same transaction; enabling returns the user to `active`,
 * or to `invited` while an unused invitation is pending. Repeating either changes nothing.
 */
@CommandHandler(ChangeUserStatusCommand)
export class ChangeUserStatusHandler implements ICommandHandler<ChangeUserStatusCommand, UserResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    @Inject(USER_SESSIONS_REVOKER) private readonly sessions: UserSessionsRevoker,
    private readonly rank: TargetRank,
  ) {}

  async execute(cmd: ChangeUserStatusCommand): Promise<UserResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const row = await this.rank.recordingRefusals(() =>
      this.actors.send(userActor(tenant.id, cmd.userId), async (uow) => {
        const current = await lockUser(uow, cmd.userId);
        await this.rank.assertMayActOn(uow, cmd.callerId, cmd.userId, 'user', 'update');
        if (cmd.change === 'disable' && current.status !== 'disabled') {
          await assertAnotherAdminRemains(uow, tenant.id, cmd.userId);
          await uow.query(`UPDATE users SET status = 'disabled', updated_at = now() WHERE id = $1`, [cmd.userId]);
          await this.sessions.revokeAllForUser(uow, cmd.userId, 'user_disabled');
          uow.emit('user.disabled', subjects.user(cmd.userId), userEventData({ ...current, status: 'disabled' }));
        }
        if (cmd.change === 'enable' && current.status === 'disabled') {
          const [updated] = await uow.query<{ status: 'active' | 'invited' }[]>(
            `UPDATE users SET updated_at = now(), status = CASE WHEN password_hash IS NULL AND EXISTS
             (SELECT 1 FROM user_invites WHERE user_id = $1 AND used_at IS NULL AND expires_at > now()) THEN 'invited' ELSE 'active' END
           WHERE id = $1 RETURNING status`,
            [cmd.userId],
          );
          uow.emit('user.enabled', subjects.user(cmd.userId), userEventData({ ...current, status: updated.status }));
        }
        return loadUser(uow, cmd.userId);
      }),
    );
    return toUserResponse(row);
  }
}
