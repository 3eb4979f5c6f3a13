import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ChangeUserStatusCommand, CreateUserCommand, provisioningCaller, UserResponse } from '@credence/identity';
import { TenantTransactionRunner } from '@credence/tenancy';
import type { ScimDirectory } from '../../auth/scim-directory';
import { ScimUserStore } from '../scim-user-store';
import { scimAttributes, toScimUser, userInputFrom } from '../user-resource';

/**
 * POST /Users: the user is created by identity's CreateUserCommand (same checks, uniqueness and
 * user.created event as any user), then linked to the directory. A userName the directory already
 * has, or an e-mail another user has, is 409 uniqueness.
 */
@Injectable()
export class CreateScimUser {
  constructor(
    private readonly commands: CommandBus,
    private readonly runner: TenantTransactionRunner,
    private readonly store: ScimUserStore,
  ) {}

  async execute(directory: ScimDirectory, body: unknown): Promise<Record<string, unknown>> {
    const input = userInputFrom(body);
    await this.runner.inTenant((uow) => this.store.assertUserNameFree(uow, directory.id, input.userName));
    const user = await this.commands.execute<CreateUserCommand, UserResponse>(
      new CreateUserCommand(directory.tenantId, {
        email: input.email,
        ...(input.username ? { username: input.username } : {}),
        ...(input.displayName ? { displayName: input.displayName } : {}),
        attributes: scimAttributes(input.attributes),
      }),
    );
    const linked = await this.runner.inTenant(async (uow) => {
      await this.store.link(uow, directory.id, user.id, input);
      return this.store.get(uow, directory.id, user.id);
    });
    if (input.active) return toScimUser(linked, directory.base);
    await this.commands.execute(new ChangeUserStatusCommand(directory.tenantId, user.id, 'disable', provisioningCaller(directory.id)));
    return toScimUser(await this.store.read(directory.id, user.id), directory.base);
  }
}
