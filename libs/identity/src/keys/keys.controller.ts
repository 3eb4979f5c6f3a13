import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, PermissionGuard, RequirePermission } from '@credence/access';
import { RequestContext } from '@credence/context';
import { ApiErrors } from '@credence/http';
import { SigningKeyStore } from './signing-key-store';

@ApiTags('tokens')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/keys')
@Authenticate('user')
@UseGuards(PermissionGuard)
@ApiErrors(401, 403, 404, 503)
export class KeysController {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly context: RequestContext,
  ) {}

  /** A new signing key now; tokens signed by the previous one keep verifying until they have all expired. */
  @Post('rotate')
  @HttpCode(200)
  @RequirePermission('key', 'rotate')
  @ApiOkResponse({ description: '{"kid": new key id, "retired": [previous active key ids, now retiring]}' })
  rotate(@Param('tenant') _t: string): Promise<{ kid: string; retired: string[] }> {
    return this.keys.rotate(this.context.requireTenant());
  }
}
