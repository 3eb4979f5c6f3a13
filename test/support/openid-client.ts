/**
 * openid-client 6 as the tests' relying party.
 *
 * It is ESM-only. Under jest, @swc/jest turns it (and oauth4webapi and jose, see
 * transformIgnorePatterns in jest.config.js) into CommonJS, so a plain namespace import works;
 * tsc accepts it because tsconfig's "module": "node20" allows require() of ES modules.
 *
 * It refuses http issuers unless `allowInsecureRequests` is in discovery's `execute`: tests run the
 * platform over http on 127.0.0.1, so `discoverCredence` passes it for loopback issuers only.
 */
import * as client from 'openid-client';
import type { TestApp } from '@credence/testing';

export { client };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True when the issuer is plain http on a loopback host (the only case where tests allow http). */
export function isLoopbackHttp(issuer: URL): boolean {
  return issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
}

/**
 * Discovers a tenant's OpenID Provider (`<issuer>/.well-known/openid-configuration`, e.g. issuer
 * `http://127.0.0.1:PORT/v1/t/acme`) as `clientId`: client_secret_basic when a secret is given, a
 * public client (no authentication, PKCE only) otherwise.
 */
export function discoverCredence(issuer: string | URL, clientId: string, clientSecret?: string, metadata: Partial<client.ClientMetadata> = {}): Promise<client.Configuration> {
  const url = new URL(issuer);
  return client.discovery(url, clientId, metadata, clientSecret === undefined ? client.None() : client.ClientSecretBasic(clientSecret), {
    execute: isLoopbackHttp(url) ? [client.allowInsecureRequests] : [],
  });
}

/** A fresh PKCE verifier, its S256 challenge, a state and a nonce: what each authorization request needs. */
export async function authorizationRequestSecrets(): Promise<{ codeVerifier: string; codeChallenge: string; state: string; nonce: string }> {
  const codeVerifier = client.randomPKCECodeVerifier();
  return { codeVerifier, codeChallenge: await client.calculatePKCECodeChallenge(codeVerifier), state: client.randomState(), nonce: client.randomNonce() };
}

/**
 * A test app's issuers use its public base URL (CREDENCE_BASE_URL, `http://credence.test`), not the
 * address it listens on: `local` turns a public URL into the listening one, and `rewrite` makes
 * openid-client do the same for every request it sends. `app` is read on each call (tests assign it in beforeAll).
 */
export function testAppUrls(app: () => TestApp) {
  const local = (url: string | URL) => String(url).replace(app().config.CREDENCE_BASE_URL, app().url);
  const rewrite: client.CustomFetch = (url, options) => fetch(local(url), options as RequestInit);
  return { base: () => app().config.CREDENCE_BASE_URL, local, rewrite };
}

/** openid-client as a confidential app of the tenant (client_secret_basic), talking to the test app. */
export async function confidentialRelyingParty(t: TestApp, tenantSlug: string, app: { client_id: string; client_secret: string }): Promise<client.Configuration> {
  const { base, rewrite } = testAppUrls(() => t);
  const config = await client.discovery(new URL(`${base()}/v1/t/${tenantSlug}`), app.client_id, app.client_secret, client.ClientSecretBasic(app.client_secret), {
    execute: [client.allowInsecureRequests],
    [client.customFetch]: rewrite,
  });
  config[client.customFetch] = rewrite;
  return config;
}
