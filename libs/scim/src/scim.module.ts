import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { IdentityCoreModule } from '@credence/identity';
import { DirectoryTokenCache } from './auth/directory-token-cache';
import { ScimTokenGuard } from './auth/scim-token.guard';
import { CreateDirectory } from './directories/create-directory/create-directory';
import { DeleteDirectory } from './directories/delete-directory/delete-directory';
import { DirectoriesController } from './directories/directories.controller';
import { DirectoryViews } from './directories/directory-store';
import { ListDirectories } from './directories/list-directories/list-directories';
import { RotateDirectoryToken } from './directories/rotate-directory-token/rotate-directory-token';
import { ScimDiscoveryController } from './discovery/discovery.controller';
import { CreateScimGroup } from './groups/create-scim-group/create-scim-group';
import { DeleteScimGroup } from './groups/delete-scim-group/delete-scim-group';
import { ListScimGroups } from './groups/list-scim-groups/list-scim-groups';
import { ScimGroupStore } from './groups/scim-group-store';
import { ScimGroupsController } from './groups/scim-groups.controller';
import { UpdateScimGroup } from './groups/update-scim-group/update-scim-group';
import { CreateScimUser } from './users/create-scim-user/create-scim-user';
import { DeleteScimUser } from './users/delete-scim-user/delete-scim-user';
import { ListScimUsers } from './users/list-scim-users/list-scim-users';
import { ScimUserStore } from './users/scim-user-store';
import { ScimUsersController } from './users/scim-users.controller';
import { UpdateScimUser } from './users/update-scim-user/update-scim-user';

/**
 * SCIM 2.0 (RFC 7643, RFC 7644) at /v1/t/{tenant}/scim/v2, and the tenant's SCIM directories at
 * /v1/t/{tenant}/directories (docs/scim.md). Users are written through identity's commands.
 */
@Module({
  imports: [CqrsModule, IdentityCoreModule],
  controllers: [DirectoriesController, ScimUsersController, ScimGroupsController, ScimDiscoveryController],
  providers: [
    DirectoryTokenCache,
    ScimTokenGuard,
    DirectoryViews,
    CreateDirectory,
    RotateDirectoryToken,
    DeleteDirectory,
    ListDirectories,
    ScimUserStore,
    CreateScimUser,
    UpdateScimUser,
    DeleteScimUser,
    ListScimUsers,
    ScimGroupStore,
    CreateScimGroup,
    UpdateScimGroup,
    DeleteScimGroup,
    ListScimGroups,
  ],
})
export class ScimModule {}
