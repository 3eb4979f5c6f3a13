import { Injectable } from '@nestjs/common';
import { DomainError } from '@credence/errors';
import { Page, pageOf } from '@credence/http';
import { TenantTransactionRunner } from '@credence/tenancy';
import { DirectoryViews } from '../directory-store';
import { DIRECTORY_COLUMNS, DirectoryResponse, DirectoryRow } from '../directory.dto';

/** The tenant's directories, oldest first; tokens are never shown again. */
@Injectable()
export class ListDirectories {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly views: DirectoryViews,
  ) {}

  async list(limit: number, after: string | null): Promise<Page<DirectoryResponse>> {
    const rows = await this.runner.queryInTenant<DirectoryRow[]>(`SELECT ${DIRECTORY_COLUMNS} FROM scim_directories WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT $2`, [
      after,
      limit + 1,
    ]);
    return pageOf(rows, limit, (r) => this.views.view(r));
  }

  async get(id: string): Promise<DirectoryResponse> {
    const [row] = await this.runner.queryInTenant<DirectoryRow[]>(`SELECT ${DIRECTORY_COLUMNS} FROM scim_directories WHERE id = $1`, [id]);
    if (!row) throw new DomainError('directory.not_found');
    return this.views.view(row);
  }
}
