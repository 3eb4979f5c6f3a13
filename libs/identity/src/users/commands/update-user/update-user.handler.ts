import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { isDeepStrictEqual } from 'node:util';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { PasswordHasher } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { TargetRank } from '../../../authz/target-rank.service';
import { toUserResponse, UserResponse } from '../../dto/user.response';
import { CurrentPasswordProof, wrongCurrentPassword } from '../../password/current-password-proof';
import { PasswordPolicy } from '../../password/password-policy';
import { loadUser, lockUser, userActor, userConflictFrom } from '../../user-actor';
import { USER_SESSIONS_REVOKER, UserSessionsRevoker } from '../../user-sessions-revoker';
import { UpdateUserCommand } from './update-user.command';

/** Columns a PATCH may set, by the name `changed` reports them under. */
const COLUMNS = { email: 'email', username: 'username', display_name: 'display_name', phone: 'phone' } as const;

/** Applies what differs from the stored user; user.updated names the changed fields (never values of a password). */
@CommandHandler(UpdateUserCommand)
export class UpdateUserHandler implements ICommandHandler<UpdateUserCommand, UserResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    private readonly policy: PasswordPolicy,
    private readonly hasher: PasswordHasher,
    @Inject(USER_SESSIONS_REVOKER) private readonly sessions: UserSessionsRevoker,
    private readonly rank: TargetRank,
    private readonly proof: CurrentPasswordProof,
  ) {}

  async execute(cmd: UpdateUserCommand): Promise<UserResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const c = cmd.changes;
    if (c.password !== undefined) await this.policy.checkNew(tenant, c.password);
    // Your own password: prove the current one first, under the sign-in lockout (no password oracle).
    const ownPassword = c.password !== undefined && cmd.caller.userId === cmd.userId;
    if (ownPassword && c.currentPassword === undefined) {
      throw new DomainError('validation.failed', undefined, [{ field: 'current_password', issue: 'current_password is required to change your own password' }]);
    }
    const proven = ownPassword ? await this.proof.prove(cmd.userId, c.currentPassword!, cmd.client) : undefined;
    const hash = c.password !== undefined ? await this.hasher.hash(c.password) : undefined;
    try {
      const row = await this.rank.recordingRefusals(() =>
        this.actors.send(userActor(tenant.id, cmd.userId), async (uow) => {
          const current = await lockUser(uow, cmd.userId);
          await this.rank.assertMayActOn(uow, cmd.caller.userId, cmd.userId, 'user', 'update');
          // Setting someone else's password is signing in as them: its own permission, never implied by user.update.
          if (c.password !== undefined && cmd.caller.userId !== cmd.userId) await this.rank.assertPermittedIn(uow, cmd.caller.userId, cmd.userId, 'user', 'reset_password');
          const wanted = { email: c.email, username: c.username, display_name: c.displayName, phone: c.phone };
          const sets: string[] = [];
          const params: unknown[] = [cmd.userId];
          const changed: string[] = [];
          for (const [field, value] of Object.entries(wanted) as [keyof typeof COLUMNS, string | null | undefined][]) {
            if (value === undefined || value === current[field]) continue;
            params.push(value);
            sets.push(`${COLUMNS[field]} = $${params.length}`);
            changed.push(field);
          }
          if (c.attributes) {
            const next: Record<string, unknown> = { ...current.attributes };
            for (const [key, value] of Object.entries(c.attributes)) {
              if (value === null) delete next[key];
              else next[key] = value;
            }
            if (!isDeepStrictEqual(next, current.attributes)) {
              params.push(JSON.stringify(next));
              sets.push(`attributes = $${params.length}`);
              changed.push('attributes');
            }
          }
          if (c.password !== undefined && hash) {
            if (proven !== undefined && current.password_hash !== proven) throw wrongCurrentPassword();
            await this.policy.checkNotReused(uow, cmd.userId, c.password);
            params.push(hash);
            sets.push(`password_hash = $${params.length}`, 'password_changed_at = now()');
            changed.push('password');
            await this.policy.remember(uow, cmd.userId, hash);
            // An invited user given a password can sign in with it: the invitation has served its purpose.
            if (current.status === 'invited') {
              sets.push(`status = 'active'`);
              changed.push('status');
              await uow.query(`UPDATE user_invites SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, [cmd.userId]);
            }
            // Whoever held the old password is signed out everywhere, except the caller's own session.
            await this.sessions.revokeAllForUser(uow, cmd.userId, 'password_changed', cmd.caller.sessionId);
          }
          if (changed.length) {
            await uow.query(`UPDATE users SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
            uow.emit('user.updated', subjects.user(cmd.userId), { user_id: cmd.userId, changed });
          }
          return loadUser(uow, cmd.userId);
        }),
      );
      return toUserResponse(row);
    } catch (err) {
      throw userConflictFrom(err) ?? err;
    }
  }
}
