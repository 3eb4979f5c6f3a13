import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { ActorSystem } from '@credence/actors';
import { subjects } from '@credence/contracts';
import { PasswordHasher } from '@credence/crypto';
import { TenantTransactionRunner } from '@credence/tenancy';
import { toUserResponse, userEventData, UserResponse } from '../../dto/user.response';
import { PasswordPolicy } from '../../password/password-policy';
import { loadUser, userActor, userConflictFrom } from '../../user-actor';
import { CreateUserCommand } from './create-user.command';

/** A created user is active; one without a password signs in another way (OTP, SSO). */
@CommandHandler(CreateUserCommand)
export class CreateUserHandler implements ICommandHandler<CreateUserCommand, UserResponse> {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    private readonly policy: PasswordPolicy,
    private readonly hasher: PasswordHasher,
  ) {}

  async execute(cmd: CreateUserCommand): Promise<UserResponse> {
    const tenant = this.runner.assertAmbientTenant(cmd.tenantId);
    const u = cmd.user;
    if (u.password !== undefined) await this.policy.checkNew(tenant, u.password);
    const hash = u.password !== undefined ? await this.hasher.hash(u.password) : null;
    const id = uuidv7();
    try {
      const row = await this.actors.send(userActor(tenant.id, id), async (uow) => {
        await uow.query(
          `INSERT INTO users (id, email, username, display_name, phone, password_hash, password_changed_at, status, attributes)
           VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6::text IS NULL THEN NULL ELSE now() END, 'active', $7)`,
          [id, u.email, u.username ?? null, u.displayName ?? null, u.phone ?? null, hash, JSON.stringify(u.attributes ?? {})],
        );
        if (hash) await this.policy.remember(uow, id, hash);
        const created = await loadUser(uow, id);
        uow.emit('user.created', subjects.user(id), userEventData(created));
        return created;
      });
      return toUserResponse(row);
    } catch (err) {
      throw userConflictFrom(err) ?? err;
    }
  }
}
