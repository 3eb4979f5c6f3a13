import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, CurrentUser, PermissionGuard, RequirePermission, userFromParam, UserPrincipal } from '@credence/access';
import { ApiErrors, uuidParam } from '@credence/http';
import { TargetRankGuard } from '@credence/identity';
import { EraseUserCommand } from './commands/erase-user/erase-user.command';
import { ErasureResponse } from './dto/erasure.response';

const userId = uuidParam('user.not_found');

/** Right to erasure: a tenant admin removes a user's personal data from sessions and the audit trail. */
@ApiTags('users')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/users')
@Authenticate('user')
@UseGuards(PermissionGuard, TargetRankGuard)
@ApiErrors(401, 403, 404, 503)
export class ErasureController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/erase')
  @HttpCode(200)
  @RequirePermission('user', 'erase', { target: userFromParam() })
  @ApiOkResponse({ type: ErasureResponse, description: 'Works for deleted users too; 404 user.not_found only when the id is unknown everywhere.' })
  erase(@Param('id', userId) id: string, @CurrentUser() me: UserPrincipal): Promise<ErasureResponse> {
    return this.commands.execute(new EraseUserCommand(me.tenantId, id));
  }
}
