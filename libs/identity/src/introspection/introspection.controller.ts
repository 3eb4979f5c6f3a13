import { Body, Controller, Header, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiConsumes, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, PermissionGuard, RequirePermission } from '@credence/access';
import { AcceptsForm, ApiErrors } from '@credence/http';
import { IntrospectionResponse } from './dto/introspection.response';
import { TokenRequestDto } from './dto/token-request.dto';
import { TokenIntrospection } from './token-introspection';
import { TokenRevocation } from './token-revocation';

/**
 * For services holding a service credential of the tenant: RFC 7662 introspection and RFC 7009
 * revocation. The caller authenticates as those RFCs say (client_secret_basic or client_secret_post),
 * which the global guard checks as a 'service' caller; the credential must hold token.introspect or
 * token.revoke (403 authz.access.denied otherwise).
 */
@ApiTags('token introspection and revocation')
@ApiBasicAuth()
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@ApiConsumes('application/x-www-form-urlencoded', 'application/json')
@Controller('v1/t/:tenant/auth')
@Authenticate('service')
@UseGuards(PermissionGuard)
@ApiErrors(400, 401, 403, 404, 413, 415, 429, 503)
export class IntrospectionController {
  constructor(
    private readonly introspection: TokenIntrospection,
    private readonly revocation: TokenRevocation,
  ) {}

  @Post('introspect')
  @AcceptsForm()
  @RequirePermission('token', 'introspect')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: IntrospectionResponse, description: '{"active": false} for any token that is not a live token of this tenant.' })
  introspect(@Param('tenant') _t: string, @Body() dto: TokenRequestDto): Promise<IntrospectionResponse> {
    return this.introspection.introspect(dto.token);
  }

  @Post('revoke')
  @AcceptsForm()
  @RequirePermission('token', 'revoke')
  @HttpCode(200)
  @ApiOkResponse({ description: 'Empty. Also for a token that is unknown, expired or already revoked (RFC 7009 §2.2).' })
  async revoke(@Param('tenant') _t: string, @Body() dto: TokenRequestDto): Promise<void> {
    await this.revocation.revoke(dto.token);
  }
}
