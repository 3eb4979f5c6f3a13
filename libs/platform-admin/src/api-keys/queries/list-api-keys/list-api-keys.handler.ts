import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { API_KEY_COLUMNS, ApiKeyResponse, ApiKeyRow, toApiKeyResponse } from '../../dto/api-key.response';
import { Page, pageOf } from '@credence/http';
import { ListApiKeysQuery } from './list-api-keys.query';

@QueryHandler(ListApiKeysQuery)
export class ListApiKeysHandler implements IQueryHandler<ListApiKeysQuery, Page<ApiKeyResponse>> {
  constructor(private readonly dataSource: DataSource) {}

  async execute(q: ListApiKeysQuery): Promise<Page<ApiKeyResponse>> {
    const rows: ApiKeyRow[] = await this.dataSource.query(
      `SELECT ${API_KEY_COLUMNS} FROM platform.api_keys WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [q.after, q.limit + 1],
    );
    return pageOf(rows, q.limit, toApiKeyResponse);
  }
}
