/**
 * The URLs of a connection that an IdP admin copies into the IdP (and the SP metadata publishes).
 * `base` is CREDENCE_BASE_URL (no trailing slash). The SAML and OIDC sign-in routes serve them.
 */
const connectionBase = (base: string, slug: string, id: string) => `${base}/v1/t/${slug}/connections/${id}`;

/** The SP entity id is the SP metadata URL (the usual choice: resolvable, unique per connection). */
export const samlSpEntityId = (base: string, slug: string, id: string) => `${connectionBase(base, slug, id)}/saml/metadata`;
export const samlSpMetadataUrl = samlSpEntityId;
export const samlAcsUrl = (base: string, slug: string, id: string) => `${connectionBase(base, slug, id)}/saml/acs`;
export const samlSloUrl = (base: string, slug: string, id: string) => `${connectionBase(base, slug, id)}/saml/slo`;
/** Where the ACS sends the browser on, same-site, so its SameSite=Lax binding cookie comes along (docs/federation.md). */
export const samlContinueUrl = (base: string, slug: string, id: string) => `${connectionBase(base, slug, id)}/saml/continue`;
export const oidcRedirectUri = (base: string, slug: string, id: string) => `${connectionBase(base, slug, id)}/oidc/callback`;
/** private_key_jwt: the public key Credence signs its client assertions with, for IdPs that fetch it. */
export const oidcJwksUri = (base: string, slug: string, id: string) => `${connectionBase(base, slug, id)}/oidc/jwks`;
