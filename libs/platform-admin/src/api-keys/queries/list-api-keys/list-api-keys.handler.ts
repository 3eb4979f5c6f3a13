import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ApiKeyStore } from '@credence/access';
import { Page, pageOf } from '@credence/http';
import { ApiKeyResponse, toApiKeyResponse } from '../../dto/api-key.response';
import { ListApiKeysQuery } from './list-api-keys.query';

@QueryHandler(ListApiKeysQuery)
export class ListApiKeysHandler implements IQueryHandler<ListApiKeysQuery, Page<ApiKeyResponse>> {
  constructor(private readonly keys: ApiKeyStore) {}

  async execute(q: ListApiKeysQuery): Promise<Page<ApiKeyResponse>> {
    return pageOf(await this.keys.list(q.after, q.limit + 1), q.limit, toApiKeyResponse);
  }
}
