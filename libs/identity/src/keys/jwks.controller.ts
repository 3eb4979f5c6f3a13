import { Controller, Get, Header, Param, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Public } from '@credence/access';
import { ApiErrors } from '@credence/http';
import { TenantRouteGuard, TenantTransactionRunner } from '@credence/tenancy';

/** Public signing keys of one tenant (RFC 7517): active and retiring keys, never a private part. */
@ApiTags('tokens')
@Controller('v1/t/:tenant/.well-known')
@Public()
@UseGuards(TenantRouteGuard)
@ApiErrors(403, 404, 503)
export class JwksController {
  constructor(private readonly runner: TenantTransactionRunner) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  // Public by definition, and read by single-page apps' OIDC libraries from their own origin.
  @Header('Access-Control-Allow-Origin', '*')
  @ApiParam({ name: 'tenant', description: 'Tenant slug' })
  @ApiOkResponse({ description: 'JSON Web Key Set of the tenant.' })
  async jwks(@Param('tenant') _tenant: string) {
    const rows = await this.runner.queryInTenant<{ public_jwk: Record<string, unknown> }[]>(
      `SELECT public_jwk FROM signing_keys WHERE status = 'active' OR (status = 'retiring' AND retire_after > now()) ORDER BY created_at DESC`,
    );
    return { keys: rows.map((r) => r.public_jwk) };
  }
}
