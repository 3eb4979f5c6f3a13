import { Injectable } from '@nestjs/common';
import type { ServiceCredentialVerifier, ServicePrincipal } from '@credence/access';
import { presentedClient } from '../service-credentials/client-credentials';
import { ServiceClientAuthenticator } from '../service-credentials/service-client-authenticator';
import { serviceGrants } from '../service-credentials/service-permissions';

/** Grants by the stored permissions array they come from: one array per loaded credential, so the principal's is stable too. */
const grantsOf = new WeakMap<readonly string[], string[]>();

function grantsFor(permissions: string[]): string[] {
  let grants = grantsOf.get(permissions);
  if (!grants) {
    grants = serviceGrants(permissions);
    grantsOf.set(permissions, grants);
  }
  return grants;
}

/**
 * SERVICE_CREDENTIAL_VERIFIER: a service credential of the route's tenant only, presented as
 * client_secret_basic or client_secret_post. Runs before validation, so it trusts nothing in the body.
 * The principal carries the credential's own permissions, read with the secret (so a change applies
 * at the next request); routes check them with @RequirePermission and PermissionGuard.
 */
@Injectable()
export class IdentityServiceCredentialVerifier implements ServiceCredentialVerifier {
  constructor(private readonly authenticator: ServiceClientAuthenticator) {}

  async authenticate(request: { authorization?: string; body?: unknown; ip: string | null }): Promise<ServicePrincipal> {
    const client = await this.authenticator.authenticate(presentedClient(request.authorization, request.body), request.ip);
    return { credentialId: client.id, clientId: client.clientId, permissions: grantsFor(client.permissions) };
  }
}
