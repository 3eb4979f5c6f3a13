import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DeleteUserCommand, provisioningCaller } from '@credence/identity';
import type { ScimDirectory } from '../../auth/scim-directory';
import { ScimUserStore } from '../scim-user-store';
import { assertMatches } from '../update-scim-user/update-scim-user';
import { toScimUser } from '../user-resource';

/** DELETE /Users/{id}: identity's DeleteUserCommand (sessions revoked first, user.deleted emitted); the link, memberships and grants go by cascade. */
@Injectable()
export class DeleteScimUser {
  constructor(
    private readonly commands: CommandBus,
    private readonly store: ScimUserStore,
  ) {}

  async execute(directory: ScimDirectory, userId: string, ifMatch: string | undefined): Promise<void> {
    const row = await this.store.read(directory.id, userId);
    assertMatches(ifMatch, toScimUser(row, directory.base));
    await this.commands.execute(new DeleteUserCommand(directory.tenantId, row.id, provisioningCaller(directory.id)));
  }
}
