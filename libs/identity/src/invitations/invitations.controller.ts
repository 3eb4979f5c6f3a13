import { Body, Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Public } from '@credence/access';
import { ApiErrors } from '@credence/http';
import { TenantRouteGuard } from '@credence/tenancy';
import { LoginResponse } from '../login/dto/token-pair.response';
import { clientInfo } from '../sessions/client-info';
import { AcceptInvitation } from './accept-invitation';
import { AcceptInvitationDto } from './dto/accept-invitation.dto';

type HttpRequest = { ip?: string; headers: Record<string, string | string[] | undefined> };

@ApiTags('sign-in')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/auth/invitations')
export class InvitationsController {
  constructor(private readonly acceptInvitation: AcceptInvitation) {}

  @Post('accept')
  @HttpCode(200)
  @Public('the invitation token is the credential')
  @UseGuards(TenantRouteGuard)
  @ApiOkResponse({ type: LoginResponse, description: 'The user is active with this password, and signed in: the same answer as password login.' })
  @ApiErrors(400, 404, 429, 503)
  accept(@Param('tenant') _t: string, @Body() dto: AcceptInvitationDto, @Req() req: HttpRequest): Promise<LoginResponse> {
    const client = clientInfo(req, { deviceType: dto.device_type, location: dto.location });
    return this.acceptInvitation.accept(dto.token, dto.password, client);
  }
}
