import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { subjects } from '@credence/contracts';
import { newSecretToken, sha256 } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { UnitOfWork } from '@credence/tenancy';
import { DIRECTORY_COLUMNS, DirectoryResponse, DirectoryRow, toDirectoryResponse } from './directory.dto';

/** A directory's bearer token: 256 random bits behind a recognisable prefix; only its SHA-256 is stored. */
export function newDirectoryToken(): { token: string; hash: Buffer } {
  const token = newSecretToken('scim_');
  return { token, hash: sha256(token) };
}

@Injectable()
export class DirectoryViews {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly context: RequestContext,
  ) {}

  view(row: DirectoryRow): DirectoryResponse {
    return toDirectoryResponse(row, this.config.CREDENCE_BASE_URL, this.context.requireTenant().slug);
  }

  /** The row, locked for the unit of work; 404 directory.not_found when there is none. */
  async lock(uow: UnitOfWork, id: string): Promise<DirectoryRow> {
    const [row] = await uow.query<DirectoryRow[]>(`SELECT ${DIRECTORY_COLUMNS} FROM scim_directories WHERE id = $1 FOR UPDATE`, [id]);
    if (!row) throw new DomainError('directory.not_found');
    return row;
  }

  emit(uow: UnitOfWork, type: 'scim.directory.created' | 'scim.directory.token_rotated' | 'scim.directory.deleted', row: DirectoryRow): void {
    uow.emit(type, subjects.scimDirectory(row.id), { directory_id: row.id, name: row.name });
  }
}
