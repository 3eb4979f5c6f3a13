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
