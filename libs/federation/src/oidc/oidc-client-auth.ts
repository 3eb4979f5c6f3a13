import * as client from 'openid-client';
import { webcrypto } from 'node:crypto';
import type { ConnectionSecrets, OidcSettings } from '../connections/connection';
import { OidcRefusal } from './oidc-refusal';

export const OIDC_CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export type OidcClientAuthMethod = (typeof OIDC_CLIENT_AUTH_METHODS)[number];

const pemBody = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64');

/**
 * How Credence authenticates at the IdP's token endpoint: the client secret in a Basic header or in
 * the form, or a JWT signed with the connection's own RSA key (RS256, its public half published at
 * the connection's jwks_uri). The secret or key is opened from the sealed secrets per callback.
 */
export async function clientAuthentication(settings: OidcSettings, secrets: ConnectionSecrets): Promise<client.ClientAuth> {
  const method: OidcClientAuthMethod = settings.token_endpoint_auth_method ?? 'client_secret_basic';
  if (method === 'private_key_jwt') {
    if (!secrets.client_private_key || !settings.client_public_jwk?.kid) throw new OidcRefusal('idp_error', 'the connection has no client key');
    const key = await webcrypto.subtle.importKey('pkcs8', pemBody(secrets.client_private_key), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    return client.PrivateKeyJwt({ key, kid: settings.client_public_jwk.kid });
  }
  if (!secrets.client_secret) throw new OidcRefusal('idp_error', 'the connection has no client secret');
  return method === 'client_secret_post' ? client.ClientSecretPost(secrets.client_secret) : client.ClientSecretBasic(secrets.client_secret);
}
