import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, CurrentUser, PermissionGuard, RequirePermission, TargetInput, UserPrincipal } from '@credence/access';
import { RequestContext } from '@credence/context';
import { ApiErrors } from '@credence/http';
import { AccessAnswerResponse, AccessContextDto, CheckAccessDto, PermissionCheckDto } from './check-access.dto';
import { CheckAccessQuery } from './check-access.query';

const targetOf = (context: AccessContextDto | undefined): TargetInput | undefined => context && { userId: context.user_id, attributes: context.attributes };

/** "May I?" for a signed-in user, and "may user X?" for services. A "no" is an answer (200), not an error. */
@ApiTags('authorization')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant')
@ApiErrors(400, 401, 403, 404, 413, 415, 503)
export class CheckAccessController {
  constructor(
    private readonly queries: QueryBus,
    private readonly context: RequestContext,
  ) {}

  @Post('auth/check-access')
  @HttpCode(200)
  @Authenticate('user')
  @ApiOkResponse({ type: AccessAnswerResponse, description: 'Whether the caller may do resource.action, and why.' })
  checkAccess(@Body() dto: CheckAccessDto, @CurrentUser() me: UserPrincipal): Promise<AccessAnswerResponse> {
    return this.queries.execute(new CheckAccessQuery(me.tenantId, me.userId, dto.resource, dto.action, targetOf(dto.context)));
  }

  @Post('permissions/check')
  @HttpCode(200)
  @Authenticate('user', 'service')
  @UseGuards(PermissionGuard)
  @RequirePermission('permission', 'check')
  @ApiOkResponse({ type: AccessAnswerResponse, description: 'Whether user_id may do resource.action, and why. Needs permission.check:any.' })
  check(@Body() dto: PermissionCheckDto): Promise<AccessAnswerResponse> {
    return this.queries.execute(new CheckAccessQuery(this.context.requireTenant().id, dto.user_id, dto.resource, dto.action, targetOf(dto.context)));
  }
}
