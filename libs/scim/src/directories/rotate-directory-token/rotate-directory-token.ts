import { Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { TenantTransactionRunner } from '@credence/tenancy';
import { DirectoryTokenCache } from '../../auth/directory-token-cache';
import { DirectoryViews, newDirectoryToken } from '../directory-store';
import { DIRECTORY_COLUMNS, DirectoryRow, DirectoryWithTokenResponse } from '../directory.dto';

/** A new bearer token; the old one stops working at once (the identity provider must be given the new one). */
@Injectable()
export class RotateDirectoryToken {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly views: DirectoryViews,
    private readonly tokens: DirectoryTokenCache,
    private readonly context: RequestContext,
  ) {}

  async execute(id: string): Promise<DirectoryWithTokenResponse> {
    const { token, hash } = newDirectoryToken();
    const row = await this.runner.inTenant(async (uow) => {
      await this.views.lock(uow, id);
      const [rotated] = await uow.query<DirectoryRow[]>(`UPDATE scim_directories SET token_hash = $2, token_rotated_at = now() WHERE id = $1 RETURNING ${DIRECTORY_COLUMNS}`, [
        id,
        hash,
      ]);
      this.views.emit(uow, 'scim.directory.token_rotated', rotated);
      return rotated;
    });
    // Before answering: every process's copy of the old token goes (DirectoryTokenCache).
    await this.tokens.bump(this.context.requireTenant().id);
    return { ...this.views.view(row), token };
  }
}
