import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import { TenantRegistry } from '@credence/tenancy';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { TokenIntrospection } from '../../libs/identity/src/introspection/token-introspection';
import { TokenRevocation } from '../../libs/identity/src/introspection/token-revocation';
import { PasswordLogin } from '../../libs/identity/src/login/password-login';
import { OtpRequest } from '../../libs/identity/src/otp/otp-request';
import { OtpVerify } from '../../libs/identity/src/otp/otp-verify';
import { ClientInfo } from '../../libs/identity/src/sessions/client-info';
import { ServiceClientAuthenticator } from '../../libs/identity/src/service-credentials/service-client-authenticator';
import { RefreshSession } from '../../libs/identity/src/sessions/refresh-session';
import { SessionLifecycle } from '../../libs/identity/src/sessions/session-lifecycle';

const PASSWORD = 'a long enough password';
const CLIENT: ClientInfo = { ip: '192.0.2.7', userAgent: null, deviceType: 'unknown', location: null };

/** The tenant has one source, the context: services take none as a parameter and fail with the coded error without one. */
describe('tenant from the context only', () => {
  let t: TestApp;
  let slug: string;
  const get = <T>(type: new (...args: any[]) => T): T => t.app.get(type, { strict: false });

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    slug = uniqueSlug('ctx');
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'ada@ctx.example', password: PASSWORD } });
    expect(res.status).toBe(201);
  });
  afterAll(() => t.close());

  const calls: [string, () => Promise<unknown>][] = [
    ['PasswordLogin.login', () => get(PasswordLogin).login('ada@ctx.example', PASSWORD, CLIENT)],
    ['RefreshSession.refresh', () => get(RefreshSession).refresh(`crt_${'a'.repeat(43)}`)],
    ['OtpRequest.request', () => get(OtpRequest).request({ channel: 'email', value: 'ada@ctx.example' }, CLIENT)],
    ['OtpVerify.verify', () => get(OtpVerify).verify({ channel: 'email', value: 'ada@ctx.example' }, '123456', CLIENT)],
    ['TokenIntrospection.introspect', () => get(TokenIntrospection).introspect(`crt_${'a'.repeat(43)}`)],
    ['TokenRevocation.revoke', () => get(TokenRevocation).revoke(`crt_${'a'.repeat(43)}`)],
    ['ServiceClientAuthenticator.authenticate', () => get(ServiceClientAuthenticator).authenticate(undefined, CLIENT.ip)],
    ['SessionLifecycle.revokeSession', () => get(SessionLifecycle).revokeSession('00000000-0000-4000-8000-000000000000', 'logout')],
    ['SessionLifecycle.revokeAllForUser', () => get(SessionLifecycle).revokeAllForUser('00000000-0000-4000-8000-000000000000', 'logout_all')],
  ];

  it.each(calls)('%s without a tenant in context fails with tenant.context_missing, not a TypeError', async (_name, call) => {
    const err = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'tenant.context_missing', status: 500 });
  });

  it('signs in to the tenant that is in context', async () => {
    const tenant = await get(TenantRegistry).resolveServing(slug);
    const result = await get(RequestContext).runWith({ tenant }, () => get(PasswordLogin).login('ada@ctx.example', PASSWORD, CLIENT));
    const claims = JSON.parse(Buffer.from(result.access_token.split('.')[1], 'base64url').toString());
    expect(claims.tid).toBe(tenant.id);
    expect(result.user.email).toBe('ada@ctx.example');
  });
});
