import type { AttributeMapping } from '../connections/connection';
import type { FederatedIdentity } from '../users/federated-identity';

export type Claims = Record<string, unknown>;

/** Claim names tried when the connection maps nothing (OIDC Core standard claims; groups or roles as Okta and Entra ID send them). */
const DEFAULTS: Required<AttributeMapping> = {
  email: 'email',
  given_name: 'given_name',
  family_name: 'family_name',
  groups: 'groups|roles',
};

const first = (claims: Claims, names: string): unknown => {
  for (const name of names.split('|')) if (claims[name] !== undefined && claims[name] !== null && claims[name] !== '') return claims[name];
  return undefined;
};

/**
 * Whether userinfo is worth a request: the ID token lacks the e-mail (linking and JIT need it) or a
 * claim the connection maps explicitly. The usual names and groups are not worth one by themselves.
 */
export function missingClaims(idToken: Claims, mapping: AttributeMapping): boolean {
  const needed = (['email', 'given_name', 'family_name', 'groups'] as const).filter((field) => field === 'email' || mapping[field] !== undefined);
  return needed.some((field) => first(idToken, mapping[field] ?? DEFAULTS[field]) === undefined);
}

/**
 * The identity FederatedSignIn links: `sub` as subject (unique per issuer, so per connection), the
 * mapped or usual claims from the ID token, then userinfo for what it lacks. An e-mail the IdP says
 * is not verified (`email_verified: false`) is not used: it could link or create an account it does not own.
 */
export function identityFrom(idToken: Claims, userinfo: Claims | undefined, mapping: AttributeMapping): FederatedIdentity {
  const claims = { ...userinfo, ...idToken };
  const pick = (field: keyof AttributeMapping) => first(claims, mapping[field] ?? DEFAULTS[field]);
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 254) : value === undefined ? undefined : (value as string));
  const rawGroups = pick('groups');
  const groups = Array.isArray(rawGroups) ? rawGroups : typeof rawGroups === 'string' ? [rawGroups] : [];
  const unverified = claims.email_verified === false || claims.email_verified === 'false';
  return {
    subject: idToken.sub as string,
    email: unverified ? undefined : text(pick('email')),
    given_name: text(pick('given_name')),
    family_name: text(pick('family_name')),
    groups: groups.slice(0, 1000) as string[],
  };
}
