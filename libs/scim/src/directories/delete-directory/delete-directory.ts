import { Injectable } from '@nestjs/common';
import { TenantTransactionRunner } from '@credence/tenancy';
import { DirectoryViews } from '../directory-store';

/**
 * Deletes the directory, its token, its groups and the roles its groups granted (by cascade). The users
 * it provisioned stay, as ordinary users no directory manages; disable or delete them through /users.
 */
@Injectable()
export class DeleteDirectory {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly views: DirectoryViews,
  ) {}

  async execute(id: string): Promise<void> {
    await this.runner.inTenant(async (uow) => {
      const row = await this.views.lock(uow, id);
      await uow.query('DELETE FROM scim_directories WHERE id = $1', [id]);
      this.views.emit(uow, 'scim.directory.deleted', row);
    });
  }
}
