import { Injectable } from '@nestjs/common';
import { TenantTransactionRunner } from '@credence/tenancy';
import type { ScimDirectory } from '../../auth/scim-directory';
import { assertMatches } from '../../users/update-scim-user/update-scim-user';
import { toScimGroup } from '../group-resource';
import { ScimGroupStore } from '../scim-group-store';

/** DELETE /Groups/{id}: the group goes, and with it the roles it alone granted its members. */
@Injectable()
export class DeleteScimGroup {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly store: ScimGroupStore,
  ) {}

  async execute(directory: ScimDirectory, groupId: string, ifMatch: string | undefined): Promise<void> {
    await this.runner.inTenant(async (uow) => {
      assertMatches(ifMatch, toScimGroup(await this.store.get(uow, directory.id, groupId, true), directory.base));
      await this.store.remove(uow, directory, groupId);
    });
  }
}
