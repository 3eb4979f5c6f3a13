import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { RequestContext } from '@credence/context';
import { TenantTransactionRunner } from '@credence/tenancy';
import { DirectoryViews, newDirectoryToken } from '../directory-store';
import { CreateDirectoryDto, DIRECTORY_COLUMNS, DirectoryRow, DirectoryWithTokenResponse } from '../directory.dto';

/** A SCIM directory and its first bearer token, shown in this answer only. */
@Injectable()
export class CreateDirectory {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly views: DirectoryViews,
  ) {}

  async execute(dto: CreateDirectoryDto): Promise<DirectoryWithTokenResponse> {
    const { token, hash } = newDirectoryToken();
    const mapping = (dto.group_role_mapping ?? []).map((m) => ({ group: m.group, role: m.role }));
    const row = await this.runner.inTenant(async (uow) => {
      const [created] = await uow.query<DirectoryRow[]>(
        `INSERT INTO scim_directories (id, name, token_hash, group_role_mapping, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${DIRECTORY_COLUMNS}`,
        [uuidv7(), dto.name, hash, JSON.stringify(mapping), this.context.principal],
      );
      this.views.emit(uow, 'scim.directory.created', created);
      return created;
    });
    return { ...this.views.view(row), token };
  }
}
