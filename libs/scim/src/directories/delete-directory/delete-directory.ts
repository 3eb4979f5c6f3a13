import { Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { TenantTransactionRunner } from '@credence/tenancy';
import { DirectoryTokenCache } from '../../auth/directory-token-cache';
import { applyGroupRoles } from '../../groups/group-roles';
import { DirectoryViews } from '../directory-store';

/**
 * Deletes the directory, its token and its groups, and takes away the roles its groups granted
 * (user.role.removed each; roles given by hand stay). The users it provisioned stay, as ordinary
 * users no directory manages; disable or delete them through /users.
 */
@Injectable()
export class DeleteDirectory {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly views: DirectoryViews,
    private readonly context: RequestContext,
    private readonly tokens: DirectoryTokenCache,
  ) {}

  async execute(id: string): Promise<void> {
    await this.runner.inTenant(async (uow) => {
      const row = await this.views.lock(uow, id);
      await uow.query('DELETE FROM scim_groups WHERE directory_id = $1', [id]);
      const granted = await uow.query<{ user_id: string }[]>('SELECT DISTINCT user_id FROM scim_role_grants WHERE directory_id = $1 ORDER BY user_id', [id]);
      const directory = { id, tenantId: this.context.requireTenant().id, groupRoleMapping: row.group_role_mapping, base: '' };
      for (const g of granted) await applyGroupRoles(uow, directory, g.user_id);
      await uow.query('DELETE FROM scim_directories WHERE id = $1', [id]);
      this.views.emit(uow, 'scim.directory.deleted', row);
    });
    // Before answering: every process's copy of the token goes (DirectoryTokenCache).
    await this.tokens.bump(this.context.requireTenant().id);
  }
}
