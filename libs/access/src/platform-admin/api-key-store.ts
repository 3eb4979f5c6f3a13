import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { DataSource } from 'typeorm';
import { sha256 } from '@credence/crypto';
import type { UnitOfWork } from '@credence/tenancy';

export interface ApiKeyRow {
  id: string;
  name: string;
  scopes: string[];
  bootstrap: boolean;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = 'id, name, scopes, bootstrap, created_by, created_at, expires_at, revoked_at, last_used_at';

export interface NewApiKey {
  name: string;
  secret: string;
  scopes: string[];
  createdBy: string;
  expiresAt: Date | null;
}

/**
 * The one owner of `platform.api_keys`: authentication reads it here, and platform-admin's commands
 * (create, revoke, list, the bootstrap key) write it through here. Secrets are stored as SHA-256.
 */
@Injectable()
export class ApiKeyStore {
  constructor(private readonly dataSource: DataSource) {}

  findBySecret(secret: string): Promise<ApiKeyRow | undefined> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM platform.api_keys WHERE secret_hash = $1`, [sha256(secret)]).then((rows: ApiKeyRow[]) => rows[0]);
  }

  async touch(id: string): Promise<void> {
    await this.dataSource.query('UPDATE platform.api_keys SET last_used_at = now() WHERE id = $1', [id]);
  }

  async insert(uow: UnitOfWork, key: NewApiKey): Promise<ApiKeyRow> {
    const [row] = await uow.query<ApiKeyRow[]>(
      `INSERT INTO platform.api_keys (id, name, secret_hash, scopes, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [uuidv7(), key.name, sha256(key.secret), key.scopes, key.createdBy, key.expiresAt],
    );
    return row;
  }

  /** The key, locked for the rest of the unit of work. */
  async lock(uow: UnitOfWork, id: string): Promise<ApiKeyRow | undefined> {
    const [row] = await uow.query<ApiKeyRow[]>(`SELECT ${COLUMNS} FROM platform.api_keys WHERE id = $1 FOR UPDATE`, [id]);
    return row;
  }

  async revoke(uow: UnitOfWork, id: string): Promise<ApiKeyRow> {
    const [row] = await uow.query<ApiKeyRow[]>(`UPDATE platform.api_keys SET revoked_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
    return row;
  }

  /** Keys in id order after `after`, `limit` of them. */
  list(after: string | null, limit: number): Promise<ApiKeyRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM platform.api_keys WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`, [after, limit]);
  }

  /** The bootstrap key row holds `secret` with `scopes`, unrevoked (CREDENCE_ADMIN_KEY may change between starts). */
  async syncBootstrap(secret: string, scopes: string[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO platform.api_keys (id, name, secret_hash, scopes, bootstrap, created_by)
       VALUES ($1, 'bootstrap', $2, $3, true, 'config')
       ON CONFLICT (bootstrap) WHERE bootstrap DO UPDATE SET secret_hash = EXCLUDED.secret_hash, scopes = EXCLUDED.scopes, revoked_at = NULL`,
      [uuidv7(), sha256(secret), scopes],
    );
  }
}
