import { Injectable } from '@nestjs/common';
import { TenantTransactionRunner } from '@credence/tenancy';
import type { ScimDirectory } from '../../auth/scim-directory';
import { applyPatch } from '../../patch/scim-patch';
import { assertMatches } from '../../users/update-scim-user/update-scim-user';
import { GROUP_ATTRIBUTES, groupInputFrom, toScimGroup } from '../group-resource';
import { ScimGroupStore } from '../scim-group-store';

/**
 * PUT and PATCH on a group, under a row lock so two membership patches (Okta sends one per change)
 * never lose each other's members. If-Match is checked against the locked row.
 */
@Injectable()
export class UpdateScimGroup {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly store: ScimGroupStore,
  ) {}

  replace(directory: ScimDirectory, groupId: string, body: unknown, ifMatch: string | undefined): Promise<Record<string, unknown>> {
    return this.update(directory, groupId, ifMatch, () => body);
  }

  patch(directory: ScimDirectory, groupId: string, body: unknown, ifMatch: string | undefined): Promise<Record<string, unknown>> {
    return this.update(directory, groupId, ifMatch, (current) => applyPatch(current, body, GROUP_ATTRIBUTES));
  }

  private async update(directory: ScimDirectory, groupId: string, ifMatch: string | undefined, next: (current: Record<string, unknown>) => unknown) {
    const row = await this.runner.inTenant(async (uow) => {
      const current = await this.store.get(uow, directory.id, groupId, true);
      const resource = toScimGroup(current, directory.base);
      assertMatches(ifMatch, resource);
      const input = groupInputFrom(next(resource));
      await this.store.save(uow, directory, current, input);
      return this.store.get(uow, directory.id, current.id);
    });
    return toScimGroup(row, directory.base);
  }
}
