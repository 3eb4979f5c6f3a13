import type { ServicePrincipal } from '@credence/access';
import type { AuthorizationService } from '../authz/authorization.service';
import { IdentityPermissionAuthorizer } from './identity-permission-authorizer';

const introspect = { resource: 'token', action: 'introspect' };
const service = (credentialId: string, clientId: string, permissions: string[]): { service: ServicePrincipal } => ({ service: { credentialId, clientId, permissions } });

describe('IdentityPermissionAuthorizer for service credentials', () => {
  const authorizer = new IdentityPermissionAuthorizer({} as AuthorizationService);

  it('decides from the credential’s own grants, the same on every request that brings the same array', async () => {
    const permissions = ['token.introspect:any'];
    const first = await authorizer.decide(service('cred-a', 'client-a', permissions), introspect);
    const again = await authorizer.decide(service('cred-a', 'client-a', permissions), introspect);
    expect(first).toMatchObject({ allowed: true, permission: 'token.introspect:any', subject: { userId: 'service:cred-a' } });
    expect(first.detail).toContain('service:client-a');
    expect(again).toEqual(first);
    expect(await authorizer.decide(service('cred-a', 'client-a', permissions), { resource: 'token', action: 'revoke' })).toMatchObject({
      allowed: false,
      reason: 'no_permission',
    });
  });

  it('never answers for one credential with another’s subject, even when both bring the same array', async () => {
    const shared = ['token.introspect:any'];
    await authorizer.decide(service('cred-a', 'client-a', shared), introspect);
    const other = await authorizer.decide(service('cred-b', 'client-b', shared), introspect);
    expect(other.subject).toEqual({ userId: 'service:cred-b', attributes: {} });
    expect(other.detail).toContain('service:client-b');
  });

  it('follows a reloaded credential: a new permissions array is decided afresh', async () => {
    await authorizer.decide(service('cred-c', 'client-c', ['token.introspect:any']), introspect);
    const narrowed = await authorizer.decide(service('cred-c', 'client-c', ['token.revoke:any']), introspect);
    expect(narrowed).toMatchObject({ allowed: false, reason: 'no_permission' });
  });
});
