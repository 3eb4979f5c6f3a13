export type ConnectionType = 'saml' | 'oidc' | 'ldap';

/** A SAML connection's settings as stored in `connections.config.saml` (nothing secret). */
export interface SamlSettings {
  idp_entity_id: string;
  idp_sso_url: string;
  idp_slo_url?: string;
  /** PEM certificates; several at once during a rollover. */
  idp_certificates: string[];
  /** Where the IdP metadata came from, when it came from a URL (refreshed by a job). */
  idp_metadata_url?: string;
  allow_idp_initiated: boolean;
  /** The application (client_id) an IdP-initiated login goes to; required to allow one. */
  idp_initiated_client_id?: string;
  /** Sent to that application's initiate_login_uri as target_link_uri (OIDC Core §4), when set. */
  idp_initiated_target_link_uri?: string;
  sign_authn_requests: boolean;
  allow_sha1: boolean;
  /** The SP's own certificates (PEM), published in its metadata; their private keys are in the secrets. */
  sp_signing_certificate: string;
  sp_encryption_certificate: string;
}

export interface OidcSettings {
  issuer: string;
  client_id: string;
  scopes: string[];
  /** How Credence authenticates at the token endpoint; absent in connections made before it existed: client_secret_basic. */
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  /** private_key_jwt: the public half of the connection's RSA key (RS256), published at the connection's jwks_uri. */
  client_public_jwk?: { kty: 'RSA'; n: string; e: string; kid: string; alg: 'RS256'; use: 'sig' };
}

export interface LdapSettings {
  url: string;
  start_tls: boolean;
  bind_dn: string;
  user_search_base: string;
  user_search_filter: string;
  group_search_base?: string;
  group_search_filter?: string;
  timeout_ms: number;
  ca_certificate?: string;
}

export interface AttributeMapping {
  email?: string;
  given_name?: string;
  family_name?: string;
  groups?: string;
}

/** A tenant's connection to an IdP, as the federation code reads it (table `connections`). */
export interface Connection {
  id: string;
  type: ConnectionType;
  name: string;
  enabled: boolean;
  status: 'active' | 'error';
  domains: string[];
  jit: { enabled: boolean; default_roles: string[] };
  attributeMapping: AttributeMapping;
  groupRoleMapping: { group: string; role: string }[];
  saml?: SamlSettings;
  oidc?: OidcSettings;
  ldap?: LdapSettings;
}

/** What `connections.secrets` seals (AES-256-GCM under the key-encryption key): never returned, never logged. */
export interface ConnectionSecrets {
  /** PEM PKCS#8 private keys of the SP (SAML). */
  sp_signing_key?: string;
  sp_encryption_key?: string;
  /** The encryption key before the last rotation: assertions an IdP still encrypts to the old certificate decrypt with it. */
  previous_sp_encryption_key?: string;
  /** OIDC client secret. */
  client_secret?: string;
  /** OIDC private_key_jwt: the connection's RSA private key (PEM PKCS#8). */
  client_private_key?: string;
  /** LDAP service account password. */
  bind_password?: string;
}

/** The additional data that binds sealed secrets to their tenant and connection (a copied blob does not open elsewhere). */
export const secretsAssociatedData = (tenantId: string, connectionId: string) => `connection:${tenantId}:${connectionId}`;
