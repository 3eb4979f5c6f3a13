import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { PasswordHasher } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { CurrentPasswordProof, wrongCurrentPassword } from '../../users/password/current-password-proof';
import { PasswordPolicy } from '../../users/password/password-policy';
import { lockUser, userActor } from '../../users/user-actor';
import { USER_SESSIONS_REVOKER, UserSessionsRevoker } from '../../users/user-sessions-revoker';
import { ChangePasswordCommand } from './change-password.command';

/** The policy reports the field as `password`; on this route it is `new_password`. */
function asNewPassword(err: unknown): unknown {
  if (!(err instanceof DomainError) || err.code !== 'user.password_rejected') return err;
  return new DomainError(
    err.code,
    err.message,
    err.details?.map((d) => ({ ...d, field: 'new_password', issue: d.issue.replace(/^password/, 'new_password') })),
  );
}

/**
 * Changes the caller's own password. The new password is judged by the stateless rules first, so a
 * refusal of it says nothing about the current one; then the current password is proven under the
 * sign-in lockout; then, in the user's actor, the history is checked, the hash stored, and every
 * other session of the user revoked in the same transaction.
 */
@CommandHandler(ChangePasswordCommand)
export class ChangePasswordHandler implements ICommandHandler<ChangePasswordCommand, void> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    private readonly policy: PasswordPolicy,
    private readonly hasher: PasswordHasher,
    private readonly proof: CurrentPasswordProof,
    @Inject(USER_SESSIONS_REVOKER) private readonly sessions: UserSessionsRevoker,
  ) {}

  async execute(cmd: ChangePasswordCommand): Promise<void> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    try {
      if (cmd.newPassword === cmd.currentPassword) {
        throw new DomainError('user.password_rejected', undefined, [{ field: 'new_password', issue: 'new_password must differ from current_password' }]);
      }
      await this.policy.checkNew(tenant, cmd.newPassword);
      const proven = await this.proof.prove(cmd.userId, cmd.currentPassword, cmd.client);
      const hash = await this.hasher.hash(cmd.newPassword);
      await this.actors.send(userActor(tenant.id, cmd.userId), async (uow) => {
        const user = await lockUser(uow, cmd.userId);
        // Changed since it was proven (a concurrent change): what was proven is no longer the password.
        if (user.password_hash !== proven) throw wrongCurrentPassword();
        await this.policy.checkNotReused(uow, cmd.userId, cmd.newPassword);
        await uow.query('UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1', [cmd.userId, hash]);
        await this.policy.remember(uow, cmd.userId, hash);
        // Whoever else held the old password is signed out everywhere; the session that asked stays.
        await this.sessions.revokeAllForUser(uow, cmd.userId, 'password_changed', cmd.sessionId);
        uow.emit('user.updated', subjects.user(cmd.userId), { user_id: cmd.userId, changed: ['password'] });
      });
    } catch (err) {
      throw asNewPassword(err);
    }
  }
}
