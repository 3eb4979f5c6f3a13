import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { TenantRouteGuard } from '@credence/tenancy';
import { presentedClient } from './client-credentials';
import { ServiceClientAuthenticator } from './service-client-authenticator';

interface ServiceRequest {
  ip?: string;
  body?: unknown;
  headers: Record<string, string | undefined>;
  /** Read by PermissionGuard as the ServicePrincipal. */
  servicePrincipal?: { credentialId: string; clientId: string; permissions: string[] };
}

/**
 * What every service credential may do besides introspection and revocation (which need only the
 * credential): ask whether a user may do something. Per-credential permissions come with OAuth clients.
 */
export const SERVICE_CREDENTIAL_PERMISSIONS = ['permission.check:any'];

/**
 * For routes that services call (introspection, revocation): resolves the path's tenant, then
 * authenticates a service credential of that tenant only. Runs before validation, so it reads the
 * raw body and trusts nothing in it.
 */
@Injectable()
export class ServiceCredentialGuard implements CanActivate {
  constructor(
    private readonly tenantGuard: TenantRouteGuard,
    private readonly authenticator: ServiceClientAuthenticator,
    private readonly context: RequestContext,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    await this.tenantGuard.canActivate(ctx);
    const req = ctx.switchToHttp().getRequest<ServiceRequest>();
    const client = await this.authenticator.authenticate(presentedClient(req.headers.authorization, req.body), req.ip ?? null);
    req.servicePrincipal = { credentialId: client.id, clientId: client.clientId, permissions: [...SERVICE_CREDENTIAL_PERMISSIONS] };
    this.context.setActor(`service:${client.id}`);
    return true;
  }
}
