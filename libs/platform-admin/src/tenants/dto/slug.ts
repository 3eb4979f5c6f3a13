export const SLUG_PATTERN = /^[a-z][a-z0-9-]{1,62}$/;

/** Slugs that would collide with routes, Postgres names or common confusion. */
export const RESERVED_SLUGS = new Set([
  'admin',
  'administrator',
  'api',
  'app',
  'assets',
  'auth',
  'credence',
  'default',
  'docs',
  'health',
  'information-schema',
  'internal',
  'login',
  'logout',
  'metrics',
  'oauth',
  'oidc',
  'platform',
  'public',
  'root',
  'saml',
  'scim',
  'static',
  'status',
  'support',
  'system',
  'tenant',
  'tenants',
  'well-known',
  'www',
]);

export function isReservedSlug(slug: string): boolean {
  return RESERVED_SLUGS.has(slug) || slug.startsWith('pg-') || slug.startsWith('pg_') || slug.endsWith('-');
}
