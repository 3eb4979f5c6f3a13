import { createHash, randomBytes } from 'node:crypto';
import { RequestContext } from '@credence/context';
import { CompleteInteraction, InteractionStore } from '@credence/oauth';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { member, Member, onboard, Tenant } from './identity-authz-fixture';

const SPA = 'https://spa.example.com';
const SPA_CALLBACK = `${SPA}/callback`;
const SERVER = 'https://server.example.com';

/**
 * CORS for single-page apps (public clients): the token endpoint and userinfo answer readably to the
 * origin of a public app's redirect URI, and to no other; discovery and the JWKS to any origin.
 */
describe('OpenID Provider CORS for single-page apps', () => {
  let t: TestApp;
  let acme: Tenant;
  let other: Tenant;
  let user: Member;
  let spa: { id: string; client_id: string };

  const register = async (tenant: Tenant, type: 'public' | 'confidential', redirectUris: string[]) => {
    const res = await t.call('POST', `/v1/t/${tenant.slug}/applications`, { name: `${type} app`, type, redirect_uris: redirectUris }, { auth: tenant.admin });
    expect(res.status).toBe(201);
    return res.body;
  };

  /** A fresh code for the SPA, made through a completed interaction, with its verifier. */
  const codeFor = async () => {
    const verifier = randomBytes(32).toString('base64url');
    const cookie = randomBytes(16).toString('hex');
    const redirectTo = await t.app.get(RequestContext).runWith({ tenant: { id: acme.id, slug: acme.slug, schema: acme.schema } }, async () => {
      const interaction = await t.app.get(InteractionStore).create({
        clientId: spa.client_id,
        redirectUri: SPA_CALLBACK,
        scope: ['openid', 'email'],
        state: 's',
        codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
        binding: createHash('sha256').update(cookie).digest('hex'),
      });
      const client = { ip: '127.0.0.1', userAgent: 'jest', deviceType: 'desktop', location: null };
      return (await t.app.get(CompleteInteraction).execute(interaction.id, cookie, { userId: user.id, method: 'local' }, client)).redirectTo;
    });
    return { code: new URL(redirectTo).searchParams.get('code')!, verifier };
  };

  const send = (method: string, path: string, headers: Record<string, string>, body?: string) => fetch(`${t.url}/v1/t/${acme.slug}${path}`, { method, headers, body });
  const tokenFrom = (origin: string, form: Record<string, string>) =>
    send('POST', '/oauth2/token', { origin, 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams(form).toString());
  const badCode = (origin: string) =>
    tokenFrom(origin, { grant_type: 'authorization_code', client_id: spa.client_id, code: 'no-such-code', redirect_uri: SPA_CALLBACK, code_verifier: 'v'.repeat(43) });

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    acme = await onboard(t, 'op-cors');
    other = await onboard(t, 'op-cors-other');
    user = await member(t, acme, []);
    spa = await register(acme, 'public', [SPA_CALLBACK, 'com.example.app:/callback']);
    await register(acme, 'confidential', [`${SERVER}/callback`]);
    await register(other, 'public', ['https://other-spa.example.com/callback']);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it("lets the public app's origin read a code exchange and a refused one, never with credentials", async () => {
    const code = await codeFor();
    const ok = await tokenFrom(SPA, { grant_type: 'authorization_code', client_id: spa.client_id, code: code.code, redirect_uri: SPA_CALLBACK, code_verifier: code.verifier });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    expect(ok.headers.get('vary')).toMatch(/origin/i);
    expect((await ok.json()).access_token).toEqual(expect.any(String));

    const refused = await badCode(SPA);
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toBe('invalid_grant');
    expect(refused.headers.get('access-control-allow-origin')).toBe(SPA);
  });

  it("gives no other origin the right to read: a confidential app's, another tenant's app's, a custom scheme's (null), a stranger's", async () => {
    for (const origin of [SERVER, 'https://other-spa.example.com', 'null', 'https://evil.example', `${SPA}:8443`, 'http://spa.example.com']) {
      const res = await badCode(origin);
      expect({ origin, status: res.status, allow: res.headers.get('access-control-allow-origin') }).toEqual({ origin, status: 400, allow: null });
      expect(res.headers.get('vary')).toMatch(/origin/i);
    }
  });

  it('answers preflights for the token endpoint and userinfo for the app origin only', async () => {
    for (const path of ['/oauth2/token', '/oauth2/userinfo']) {
      const allowed = await send('OPTIONS', path, { origin: SPA, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' });
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(SPA);
      expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
      expect(Number(allowed.headers.get('access-control-max-age'))).toBeGreaterThan(0);

      const stranger = await send('OPTIONS', path, { origin: 'https://evil.example', 'access-control-request-method': 'POST' });
      expect(stranger.status).toBe(204);
      expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
      expect(stranger.headers.get('access-control-allow-methods')).toBeNull();
    }
  });

  it('lets the app origin read userinfo, and its refusal', async () => {
    const code = await codeFor();
    const tokens = await (
      await tokenFrom(SPA, { grant_type: 'authorization_code', client_id: spa.client_id, code: code.code, redirect_uri: SPA_CALLBACK, code_verifier: code.verifier })
    ).json();
    const info = await send('GET', '/oauth2/userinfo', { origin: SPA, authorization: `Bearer ${tokens.access_token}` });
    expect(info.status).toBe(200);
    expect(info.headers.get('access-control-allow-origin')).toBe(SPA);
    expect((await info.json()).sub).toBe(user.id);

    const refused = await send('GET', '/oauth2/userinfo', { origin: SPA, authorization: 'Bearer not.a.token' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(SPA);
    const stranger = await send('GET', '/oauth2/userinfo', { origin: 'https://evil.example', authorization: `Bearer ${tokens.access_token}` });
    expect(stranger.status).toBe(200);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('follows the applications at once: a redirect URI added on a new origin is allowed, a deleted app no longer', async () => {
    const later = 'https://later.example.com';
    expect((await badCode(later)).headers.get('access-control-allow-origin')).toBeNull();
    const patched = await t.call('PATCH', `/v1/t/${acme.slug}/applications/${spa.id}`, { redirect_uris: [SPA_CALLBACK, `${later}/cb`] }, { auth: acme.admin });
    expect(patched.status).toBe(200);
    expect((await badCode(later)).headers.get('access-control-allow-origin')).toBe(later);

    const gone = await register(acme, 'public', ['https://gone.example.com/cb']);
    expect((await badCode('https://gone.example.com')).headers.get('access-control-allow-origin')).toBe('https://gone.example.com');
    expect((await t.call('DELETE', `/v1/t/${acme.slug}/applications/${gone.id}`, undefined, { auth: acme.admin })).status).toBe(204);
    expect((await badCode('https://gone.example.com')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves discovery and the JWKS to any origin', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
      const res = await send('GET', path, { origin: 'https://anyone.example' });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    }
  });
});
