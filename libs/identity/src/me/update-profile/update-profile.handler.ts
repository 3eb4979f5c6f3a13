import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { TenantTransactionRunner } from '@credence/tenancy';
import { toUserResponse, UserResponse } from '../../users/dto/user.response';
import { loadUser, lockUser, userActor } from '../../users/user-actor';
import { UpdateProfileCommand } from './update-profile.command';

/** Sets what differs, in the user's actor like every other write to a user; user.updated names the fields. */
@CommandHandler(UpdateProfileCommand)
export class UpdateProfileHandler implements ICommandHandler<UpdateProfileCommand, UserResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
  ) {}

  async execute(cmd: UpdateProfileCommand): Promise<UserResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const row = await this.actors.send(userActor(tenant.id, cmd.userId), async (uow) => {
      const current = await lockUser(uow, cmd.userId);
      if (cmd.displayName !== undefined && cmd.displayName !== current.display_name) {
        await uow.query('UPDATE users SET display_name = $2, updated_at = now() WHERE id = $1', [cmd.userId, cmd.displayName]);
        uow.emit('user.updated', subjects.user(cmd.userId), { user_id: cmd.userId, changed: ['display_name'] });
      }
      return loadUser(uow, cmd.userId);
    });
    return toUserResponse(row);
  }
}
