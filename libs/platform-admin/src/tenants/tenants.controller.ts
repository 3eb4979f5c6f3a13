import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminScopes, Authenticate } from '@credence/access';
import { ApiErrors, decodeCursor } from '@credence/http';
import { DomainError } from '@credence/errors';
import { ChangeTenantStatusCommand } from './commands/change-tenant-status/change-tenant-status.command';
import { OffboardTenantCommand } from './commands/offboard-tenant/offboard-tenant.command';
import { OnboardTenantCommand } from './commands/onboard-tenant/onboard-tenant.command';
import { ReissueInvitationCommand } from './commands/reissue-invitation/reissue-invitation.command';
import { UpdateTenantCommand } from './commands/update-tenant/update-tenant.command';
import { CreateTenantDto } from './dto/create-tenant.dto';
import { ListTenantsQueryDto } from './dto/list-tenants.query';
import { IssuedInvitationResponse, ReissueInvitationDto } from './dto/reissue-invitation.dto';
import { SLUG_PATTERN } from './dto/slug';
import { OnboardedTenantResponse, TenantResponse } from './dto/tenant.response';
import { UpdateTenantDto } from './dto/update-tenant.dto';
import { GetTenantQuery } from './queries/get-tenant/get-tenant.query';
import { ListTenantsQuery } from './queries/list-tenants/list-tenants.query';

function slugParam(slug: string): string {
  if (!SLUG_PATTERN.test(slug)) throw new DomainError('tenant.not_found');
  return slug;
}

@ApiTags('platform admin: tenants')
@ApiBearerAuth('bearer')
@Controller('v1/admin/tenants')
@Authenticate('platform_admin')
@ApiErrors(400, 401, 403, 404, 409, 413, 415, 503)
export class TenantsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @AdminScopes('tenants:write')
  @ApiCreatedResponse({ type: OnboardedTenantResponse })
  onboard(@Body() dto: CreateTenantDto): Promise<OnboardedTenantResponse> {
    return this.commands.execute(
      new OnboardTenantCommand(dto.slug, dto.name, dto.domains ?? [], { email: dto.admin.email, password: dto.admin.password }, { ...(dto.settings ?? {}) }),
    );
  }

  @Get()
  @AdminScopes('tenants:read')
  @ApiOkResponse({ description: '{"data": [Tenant], "meta": {"next_cursor": ...}}' })
  list(@Query() q: ListTenantsQueryDto) {
    return this.queries.execute(new ListTenantsQuery(q.limit, decodeCursor(q.cursor), q.status));
  }

  @Get(':slug')
  @AdminScopes('tenants:read')
  @ApiParam({ name: 'slug' })
  @ApiOkResponse({ type: TenantResponse })
  get(@Param('slug') slug: string): Promise<TenantResponse> {
    return this.queries.execute(new GetTenantQuery(slugParam(slug)));
  }

  @Patch(':slug')
  @AdminScopes('tenants:write')
  @ApiParam({ name: 'slug' })
  @ApiOkResponse({ type: TenantResponse })
  update(@Param('slug') slug: string, @Body() dto: UpdateTenantDto): Promise<TenantResponse> {
    const settings = dto.settings ? Object.fromEntries(Object.entries(dto.settings).filter(([, v]) => v !== undefined)) : undefined;
    return this.commands.execute(new UpdateTenantCommand(slugParam(slug), { name: dto.name, domains: dto.domains, settings }));
  }

  @Post(':slug/suspend')
  @HttpCode(200)
  @AdminScopes('tenants:write')
  @ApiParam({ name: 'slug' })
  @ApiOkResponse({ type: TenantResponse })
  suspend(@Param('slug') slug: string): Promise<TenantResponse> {
    return this.commands.execute(new ChangeTenantStatusCommand(slugParam(slug), 'suspend'));
  }

  @Post(':slug/resume')
  @HttpCode(200)
  @AdminScopes('tenants:write')
  @ApiParam({ name: 'slug' })
  @ApiOkResponse({ type: TenantResponse, description: 'Also cancels an offboarding that is still in its grace period.' })
  resume(@Param('slug') slug: string): Promise<TenantResponse> {
    return this.commands.execute(new ChangeTenantStatusCommand(slugParam(slug), 'resume'));
  }

  @Post(':slug/invitations')
  @AdminScopes('tenants:write')
  @ApiParam({ name: 'slug' })
  @ApiCreatedResponse({
    type: IssuedInvitationResponse,
    description: "A new invitation for a user who is still invited (the first admin's expired or lost token); earlier tokens stop working.",
  })
  reissueInvitation(@Param('slug') slug: string, @Body() dto: ReissueInvitationDto): Promise<IssuedInvitationResponse> {
    return this.commands.execute(new ReissueInvitationCommand(slugParam(slug), dto.email));
  }

  @Delete(':slug')
  @HttpCode(202)
  @AdminScopes('tenants:write')
  @ApiParam({ name: 'slug' })
  @ApiAcceptedResponse({ type: TenantResponse, description: 'Status `offboarding`; data is dropped after the grace period (`purge_after`).' })
  offboard(@Param('slug') slug: string): Promise<TenantResponse> {
    return this.commands.execute(new OffboardTenantCommand(slugParam(slug)));
  }
}
