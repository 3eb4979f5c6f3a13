import { Injectable } from '@nestjs/common';
import { TenantTransactionRunner } from '@credence/tenancy';
import type { ScimDirectory } from '../../auth/scim-directory';
import { groupInputFrom, toScimGroup } from '../group-resource';
import { ScimGroupStore } from '../scim-group-store';

/** POST /Groups: the group, its members, and the roles its displayName maps to, in one transaction. */
@Injectable()
export class CreateScimGroup {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly store: ScimGroupStore,
  ) {}

  async execute(directory: ScimDirectory, body: unknown): Promise<Record<string, unknown>> {
    const input = groupInputFrom(body);
    const row = await this.runner.inTenant(async (uow) => {
      const id = await this.store.save(uow, directory, null, input);
      return this.store.get(uow, directory.id, id);
    });
    return toScimGroup(row, directory.base);
  }
}
