import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { onboard, Tenant } from './identity-authz-fixture';
import { APP_CALLBACK, callCallback, counts, createOidcConnection, failures, relyingApp, startAtCredence } from './oidc-rp-fixture';
import { testAppUrls } from '../support/openid-client';
import { RogueBehaviour, RogueIdp, startRogueIdp } from '../support/rogue-oidc-idp';
import * as client from 'openid-client';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

const TIMEOUT_MS = 1000;

/**
 * Each check of the OIDC callback against an IdP that misbehaves in one way: the callback answers an
 * HTML page (never a 500, never a hang), records federation.login.failed with the check's reason, and
 * creates no user, link or session.
 */
describe('OIDC relying party refusals (a misbehaving IdP)', () => {
  let t: TestApp;
  let acme: Tenant;
  let rogue: RogueIdp;
  let conn: { id: string };
  let app: client.Configuration;

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { FEDERATION_OIDC_TIMEOUT_MS: String(TIMEOUT_MS) });
    acme = await onboard(t, 'oidcr');
    rogue = await startRogueIdp('credence-rogue');
    conn = await createOidcConnection(t, acme, { issuer: rogue.issuer, client_id: 'credence-rogue', client_secret: 'rogue-client-secret-0123456789' });
    app = await relyingApp(t, acme);
  });

  afterEach(() => {
    rogue.behaviour = {};
  });

  afterAll(async () => {
    await rogue?.close();
    await t?.close();
  });

  async function attempt(behaviour: RogueBehaviour, tamper: (callback: URL) => URL = (u) => u): Promise<Response> {
    const started = await startAtCredence(t, app, conn.id);
    rogue.behaviour = behaviour;
    const back = tamper(await rogue.authorize(started.idpUrl));
    return callCallback(t, back, started.binding);
  }

  async function refused(behaviour: RogueBehaviour, reason: string, status = 400, tamper?: (callback: URL) => URL) {
    const before = await counts(t, acme);
    const seen = (await failures(t, acme)).length;
    const res = await attempt(behaviour, tamper);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('location')).toBeNull();
    expect((await failures(t, acme)).slice(seen)).toEqual([reason]);
    expect(await counts(t, acme)).toEqual(before);
  }

  it('signs in when the IdP behaves (the baseline the refusals differ from)', async () => {
    const before = await counts(t, acme);
    const res = await attempt({});
    expect(res.status).toBe(303);
    expect((await counts(t, acme)).users).toBe(before.users + 1);
  });

  it('refuses a wrong nonce', () => refused({ claims: { nonce: 'not-the-nonce' } }, 'nonce_mismatch'));
  it('refuses an ID token from another issuer', () => refused({ claims: { iss: 'https://evil.example' } }, 'issuer_mismatch'));
  it('refuses an ID token for another audience', () => refused({ claims: { aud: 'someone-else' } }, 'audience_mismatch'));
  it('refuses an expired ID token', () => refused({ claims: { iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 600 } }, 'expired'));
  it('refuses an unsigned ID token (alg none)', () => refused({ algNone: true }, 'signature_missing'));
  it('refuses an ID token signed by another key under the published kid', () => refused({ signWith: 'forged' }, 'signature_invalid'));
  it('refuses a wrong state', () => refused({}, 'state_mismatch', 400, (u) => (u.searchParams.set('state', 'A'.repeat(43)), u)));
  it('refuses an authorization response from another issuer (RFC 9207 iss)', () => refused({ authIss: 'https://evil.example' }, 'issuer_mismatch'));
  it('refuses an authorization response without iss when the IdP advertises it', () => refused({ authIss: null }, 'issuer_mismatch'));
  it('refuses userinfo that names another sub', () => refused({ userinfoSub: 'somebody-else' }, 'subject_mismatch'));

  it('refuses an error from the IdP (error=access_denied) and a refused code exchange (invalid_grant)', async () => {
    await refused({ authError: 'access_denied' }, 'idp_error');
    await refused({ tokenError: 'invalid_grant' }, 'idp_error');
  });

  it('reads userinfo only when the ID token lacks the e-mail', async () => {
    const calls = rogue.userinfoCalls;
    expect((await attempt({})).status).toBe(303);
    expect(rogue.userinfoCalls).toBe(calls);
    expect((await attempt({ userinfoSub: undefined, claims: { email: undefined } })).status).toBe(303);
    expect(rogue.userinfoCalls).toBe(calls + 1);
  });

  it('refuses a sign-in through a disabled connection', async () => {
    const started = await startAtCredence(t, app, conn.id);
    const back = await rogue.authorize(started.idpUrl);
    expect((await t.call('PATCH', `/v1/t/${acme.slug}/connections/${conn.id}`, { enabled: false }, { auth: acme.admin })).status).toBe(200);
    try {
      const before = await counts(t, acme);
      expect((await callCallback(t, back, started.binding)).status).toBe(400);
      expect((await failures(t, acme)).at(-1)).toBe('connection_disabled');
      expect(await counts(t, acme)).toEqual(before);
    } finally {
      await t.call('PATCH', `/v1/t/${acme.slug}/connections/${conn.id}`, { enabled: true }, { auth: acme.admin });
    }
  });

  it('secrets sealed with another key-encryption key: a 500 page naming that, no refusal blamed on the IdP, nothing created', async () => {
    // A second installation on the same database and Redis whose key-encryption key differs (a misconfigured deployment).
    const other = await startTestApp([AuthAppModule], { CREDENCE_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    try {
      const before = await counts(t, acme);
      const seen = (await failures(t, acme)).length;
      const tokenCalls = rogue.tokenCalls;
      const started = await startAtCredence(t, app, conn.id);
      const back = await rogue.authorize(started.idpUrl);
      const res = await callCallback(other, back, started.binding);
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toMatch(/secrets cannot be opened/);
      // Not an ID token, issuer or IdP problem: nothing is recorded against the IdP, which was never asked for tokens.
      expect((await failures(t, acme)).slice(seen)).toEqual([]);
      expect(rogue.tokenCalls).toBe(tokenCalls);
      expect(await counts(t, acme)).toEqual(before);
    } finally {
      await other.close();
    }
  });

  it('an IdP whose discovery stalls: the authorization endpoint answers a 503 page within the timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const dead = await createOidcConnection(t, acme, { issuer: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, client_id: 'c', client_secret: 's' });
      const started = Date.now();
      const url = client.buildAuthorizationUrl(app, {
        redirect_uri: APP_CALLBACK,
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuKZWbM6ZkI',
        code_challenge_method: 'S256',
        connection: dead.id,
      });
      const res = await fetch(testAppUrls(() => t).local(url), { redirect: 'manual' });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 3000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('refuses an IdP that stalls at the token endpoint within the timeout: a page, no hang, no 500', async () => {
    const started = Date.now();
    await refused({ stallToken: true }, 'idp_unavailable', 503);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 3000);
  });

  it('a key not in the JWKS: refetched once, then refused', async () => {
    await attempt({}); // the JWKS is cached
    const fetches = rogue.jwksFetches;
    await refused({ signWith: 'unpublished' }, 'signature_invalid');
    expect(rogue.jwksFetches).toBe(fetches + 1);
  });

  it('a rotated IdP key: the unknown kid refetches the JWKS once and the sign-in succeeds at once', async () => {
    expect((await attempt({})).status).toBe(303);
    await rogue.rotate();
    const fetches = rogue.jwksFetches;
    const res = await attempt({});
    expect(res.status).toBe(303);
    expect(rogue.jwksFetches).toBe(fetches + 1);
    // Cached since: the next sign-in fetches nothing.
    expect((await attempt({})).status).toBe(303);
    expect(rogue.jwksFetches).toBe(fetches + 1);
  });
});
