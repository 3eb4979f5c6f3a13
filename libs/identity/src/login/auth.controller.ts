import { Body, Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, CurrentUser, Public, UserPrincipal } from '@credence/access';
import { ApiErrors } from '@credence/http';
import { TenantRouteGuard } from '@credence/tenancy';
import { clientInfo } from '../sessions/client-info';
import { RefreshSession } from '../sessions/refresh-session';
import { SessionLifecycle } from '../sessions/session-lifecycle';
import { LoginDto, RefreshDto } from './dto/login.dto';
import { LoginResponse, TokenPairResponse } from './dto/token-pair.response';
import { DirectoryLogin } from './directory-login';
import { PasswordLogin } from './password-login';

type HttpRequest = { ip?: string; headers: Record<string, string | string[] | undefined> };

@ApiTags('sign-in')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/auth')
export class AuthController {
  constructor(
    private readonly passwordLogin: PasswordLogin,
    private readonly directoryLogin: DirectoryLogin,
    private readonly refreshSession: RefreshSession,
    private readonly sessions: SessionLifecycle,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Public('sign-in: the password is the credential')
  @UseGuards(TenantRouteGuard)
  @ApiOkResponse({ type: LoginResponse })
  @ApiErrors(400, 401, 403, 404, 423, 429, 503)
  login(@Param('tenant') _t: string, @Body() dto: LoginDto, @Req() req: HttpRequest): Promise<LoginResponse> {
    const client = clientInfo(req, { deviceType: dto.device_type, location: dto.location });
    if (dto.connection) return this.directoryLogin.login(dto.connection, (dto.username ?? dto.email)!, dto.password, client);
    return this.passwordLogin.login((dto.email ?? dto.username)!, dto.password, client);
  }

  @Post('token/refresh')
  @HttpCode(200)
  @Public('the refresh token is the credential')
  @UseGuards(TenantRouteGuard)
  @ApiOkResponse({ type: TokenPairResponse, description: 'A new pair; the presented refresh token is now spent.' })
  @ApiErrors(400, 401, 403, 404, 503)
  refresh(@Param('tenant') _t: string, @Body() dto: RefreshDto): Promise<TokenPairResponse> {
    return this.refreshSession.refresh(dto.refresh_token);
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticate('user')
  @ApiBearerAuth('bearer')
  @ApiErrors(401, 403, 404, 503)
  async logout(@Param('tenant') _t: string, @CurrentUser() p: UserPrincipal): Promise<void> {
    await this.sessions.revokeSession(p.sessionId, 'logout', { jti: p.jti, expiresAt: p.expiresAt });
  }

  @Post('logout-all')
  @HttpCode(200)
  @Authenticate('user')
  @ApiBearerAuth('bearer')
  @ApiOkResponse({ description: '{"revoked_sessions": n}' })
  @ApiErrors(401, 403, 404, 503)
  async logoutAll(@Param('tenant') _t: string, @CurrentUser() p: UserPrincipal): Promise<{ revoked_sessions: number }> {
    const ids = await this.sessions.revokeAllForUser(p.userId, 'logout_all');
    return { revoked_sessions: ids.length };
  }
}
