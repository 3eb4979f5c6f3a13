import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, CurrentUser, PermissionGuard, RequirePermission, UserPrincipal } from '@credence/access';
import { ApiErrors, decodeCursor, PageQueryDto, uuidParam } from '@credence/http';
import { AuthorizationService } from '@credence/identity';
import { CreateDirectory } from './create-directory/create-directory';
import { DeleteDirectory } from './delete-directory/delete-directory';
import { CreateDirectoryDto, DirectoryResponse, DirectoryWithTokenResponse } from './directory.dto';
import { ListDirectories } from './list-directories/list-directories';
import { RotateDirectoryToken } from './rotate-directory-token/rotate-directory-token';

const directoryId = uuidParam('directory.not_found');

/** SCIM directories: one per identity provider that provisions users (Entra ID, Okta, OneLogin); for holders of directory.manage:any. */
@ApiTags('scim directories')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/directories')
@Authenticate('user')
@UseGuards(PermissionGuard)
@RequirePermission('directory', 'manage')
@ApiErrors(400, 401, 403, 404, 413, 415, 503)
export class DirectoriesController {
  constructor(
    private readonly creating: CreateDirectory,
    private readonly rotating: RotateDirectoryToken,
    private readonly deleting: DeleteDirectory,
    private readonly listing: ListDirectories,
    private readonly authz: AuthorizationService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: DirectoryWithTokenResponse, description: 'token is in this response once and never again.' })
  async create(@Body() dto: CreateDirectoryDto, @CurrentUser() me: UserPrincipal): Promise<DirectoryWithTokenResponse> {
    // The mapping hands roles out to whoever the directory provisions: as with assigning a role, only Credence permissions the caller holds.
    await this.authz.assertMayHandOutRoles(
      me.userId,
      'directory',
      'manage',
      (dto.group_role_mapping ?? []).map((m) => m.role),
    );
    return this.creating.execute(dto);
  }

  @Get()
  @ApiOkResponse({ description: '{"data": [Directory], "meta": {"next_cursor": ...}}, oldest first; tokens are never listed.' })
  list(@Query() page: PageQueryDto) {
    return this.listing.list(page.limit, decodeCursor(page.cursor));
  }

  @Get(':id')
  @ApiOkResponse({ type: DirectoryResponse })
  get(@Param('id', directoryId) id: string): Promise<DirectoryResponse> {
    return this.listing.get(id);
  }

  @Post(':id/rotate-token')
  @HttpCode(200)
  @ApiOkResponse({ type: DirectoryWithTokenResponse, description: 'The new token, shown once; the old one stops working at once.' })
  rotate(@Param('id', directoryId) id: string): Promise<DirectoryWithTokenResponse> {
    return this.rotating.execute(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted with its groups and the roles they granted; the users it provisioned stay.' })
  remove(@Param('id', directoryId) id: string): Promise<void> {
    return this.deleting.execute(id);
  }
}
