import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminScopes, Authenticate, AuthenticatedAdminKey, CurrentAdminKey } from '@credence/access';
import { ApiErrors, decodeCursor, PageQueryDto, uuidParam } from '@credence/http';
import { CreateApiKeyCommand } from './commands/create-api-key/create-api-key.command';
import { RevokeApiKeyCommand } from './commands/revoke-api-key/revoke-api-key.command';
import { ApiKeyResponse, CreatedApiKeyResponse } from './dto/api-key.response';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { ListApiKeysQuery } from './queries/list-api-keys/list-api-keys.query';

const uuidPipe = uuidParam('api_key.not_found');

@ApiTags('platform admin: API keys')
@ApiBearerAuth('bearer')
@Controller('v1/admin/api-keys')
@Authenticate('platform_admin')
@AdminScopes('api_keys:manage')
@ApiErrors(400, 401, 403, 404, 409, 413, 415, 503)
export class ApiKeysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyResponse, description: 'The secret is in the response once and never again. A key can grant only scopes it holds.' })
  create(@Body() dto: CreateApiKeyDto, @CurrentAdminKey() granter: AuthenticatedAdminKey): Promise<CreatedApiKeyResponse> {
    return this.commands.execute(new CreateApiKeyCommand(dto.name, dto.scopes, dto.expires_at ? new Date(dto.expires_at) : null, granter));
  }

  @Get()
  @ApiOkResponse({ description: '{"data": [ApiKey], "meta": {"next_cursor": ...}}' })
  list(@Query() page: PageQueryDto) {
    return this.queries.execute(new ListApiKeysQuery(page.limit, decodeCursor(page.cursor)));
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOkResponse({ type: ApiKeyResponse, description: 'The key, now revoked.' })
  revoke(@Param('id', uuidPipe) id: string, @CurrentAdminKey() granter: AuthenticatedAdminKey): Promise<ApiKeyResponse> {
    return this.commands.execute(new RevokeApiKeyCommand(id, granter.scopes));
  }
}
