/**
 * Permissions read `resource.action:scope`, e.g. `user.read:any`, `session.revoke:self`,
 * `user.read:department`. The scope is the condition under which the grant applies:
 * - `any`: every record of the tenant (every check is within the caller's own tenant anyway);
 * - `self`: only records owned by the caller (the target user is the caller);
 * - an attribute scope: the target user's attribute equals the caller's own, non-empty value.
 */

/** Attribute scopes: scope name -> the key in users.attributes both sides must share. Add entries to add scopes. */
export const ATTRIBUTE_SCOPES = {
  department: 'department',
} as const satisfies Record<string, string>;

export type AttributeScope = keyof typeof ATTRIBUTE_SCOPES;
export type Scope = 'any' | 'self' | AttributeScope;

export const SCOPES: readonly Scope[] = ['any', 'self', ...(Object.keys(ATTRIBUTE_SCOPES) as AttributeScope[])];

const NAME = '[a-z][a-z0-9_]{0,62}';
export const PERMISSION_PATTERN = new RegExp(`^${NAME}\\.${NAME}:(${SCOPES.join('|')})$`);
export const RESOURCE_OR_ACTION_PATTERN = new RegExp(`^${NAME}$`);

export interface Permission {
  resource: string;
  action: string;
  scope: Scope;
}

export function parsePermission(text: string): Permission | undefined {
  if (!PERMISSION_PATTERN.test(text)) return undefined;
  const [name, scope] = text.split(':');
  const [resource, action] = name.split('.');
  return { resource, action, scope: scope as Scope };
}

export function isAttributeScope(scope: Scope): scope is AttributeScope {
  return Object.hasOwn(ATTRIBUTE_SCOPES, scope);
}

/** Keys of users.attributes that some scope compares: changing them can widen what a user reaches. */
export const SCOPED_ATTRIBUTE_KEYS: readonly string[] = Object.values(ATTRIBUTE_SCOPES);
