import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorizationRequestSecrets, client, discoverCredence, isLoopbackHttp } from '../support/openid-client';

/**
 * openid-client 6 (ESM-only) loads under jest through the swc transform, its PKCE helpers work, and
 * discovery over http needs allowInsecureRequests (which discoverCredence passes for loopback only).
 * The provider here is a stub metadata document, not Credence: this spec checks the client side only.
 */
describe('openid-client 6 under jest', () => {
  let server: Server;
  let base: string;
  const issuer = () => `${base}/v1/t/acme`;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/v1/t/acme/.well-known/openid-configuration') return void res.writeHead(404).end();
      const iss = issuer();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          issuer: iss,
          authorization_endpoint: `${iss}/oauth2/authorize`,
          token_endpoint: `${iss}/oauth2/token`,
          userinfo_endpoint: `${iss}/oauth2/userinfo`,
          end_session_endpoint: `${iss}/oauth2/logout`,
          jwks_uri: `${iss}/.well-known/jwks.json`,
          response_types_supported: ['code'],
          code_challenge_methods_supported: ['S256'],
          id_token_signing_alg_values_supported: ['ES256'],
          authorization_response_iss_parameter_supported: true,
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server?.close(resolve)));

  it('loads as a namespace import with its functions', () => {
    for (const fn of ['discovery', 'buildAuthorizationUrl', 'authorizationCodeGrant', 'refreshTokenGrant', 'fetchUserInfo', 'buildEndSessionUrl', 'allowInsecureRequests']) {
      expect(typeof (client as unknown as Record<string, unknown>)[fn]).toBe('function');
    }
  });

  it('makes PKCE verifiers and their S256 challenges (RFC 7636)', async () => {
    const verifier = client.randomPKCECodeVerifier();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client.randomPKCECodeVerifier()).not.toBe(verifier);
    expect(await client.calculatePKCECodeChallenge(verifier)).toBe(createHash('sha256').update(verifier).digest('base64url'));
    const s = await authorizationRequestSecrets();
    expect(s.codeChallenge).toBe(createHash('sha256').update(s.codeVerifier).digest('base64url'));
    expect(s.state).not.toBe(s.nonce);
  });

  it('refuses an http issuer unless allowInsecureRequests is passed', async () => {
    await expect(client.discovery(new URL(issuer()), 'app')).rejects.toThrow(/HTTPS|https/);
    const config = await client.discovery(new URL(issuer()), 'app', undefined, client.None(), { execute: [client.allowInsecureRequests] });
    expect(config.serverMetadata().issuer).toBe(issuer());
  });

  it('discoverCredence allows http on loopback only and builds a PKCE S256 authorization URL', async () => {
    expect(isLoopbackHttp(new URL('http://localhost:3000/v1/t/acme'))).toBe(true);
    expect(isLoopbackHttp(new URL('http://credence.example/v1/t/acme'))).toBe(false);
    expect(isLoopbackHttp(new URL('https://127.0.0.1/v1/t/acme'))).toBe(false);

    const config = await discoverCredence(issuer(), 'app-1', 'secret');
    expect(config.serverMetadata().token_endpoint).toBe(`${issuer()}/oauth2/token`);
    const { codeChallenge, state, nonce } = await authorizationRequestSecrets();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:4000/callback',
      scope: 'openid',
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    expect(url.origin + url.pathname).toBe(`${issuer()}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'app-1',
      redirect_uri: 'http://127.0.0.1:4000/callback',
      response_type: 'code',
      scope: 'openid',
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      state,
      nonce,
    });
  });
});
