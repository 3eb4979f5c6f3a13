import { Injectable } from '@nestjs/common';
import { TenantTransactionRunner } from '@credence/tenancy';
import { DirectoryViews, newDirectoryToken } from '../directory-store';
import { DIRECTORY_COLUMNS, DirectoryRow, DirectoryWithTokenResponse } from '../directory.dto';

/** A new bearer token; the old one stops working at once (the identity provider must be given the new one). */
@Injectable()
export class RotateDirectoryToken {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly views: DirectoryViews,
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
    return { ...this.views.view(row), token };
  }
}
