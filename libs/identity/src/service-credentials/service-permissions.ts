/**
 * What a service credential may be allowed to do: a closed list, chosen when the credential is
 * created. Each is checked on its route as the permission `<name>:any` (a service owns no records).
 */
export const SERVICE_PERMISSIONS = ['token.introspect', 'token.revoke', 'permission.check', 'audit.write', 'sync.write'] as const;

export type ServicePermission = (typeof SERVICE_PERMISSIONS)[number];

/**
 * What every credential could do before credentials had permissions: a credential created without
 * `permissions` gets these, and the migration gave them to the credentials that existed.
 */
export const DEFAULT_SERVICE_PERMISSIONS: readonly ServicePermission[] = ['token.introspect', 'token.revoke', 'permission.check'];

/** The grants the permission engine checks for a credential holding `permissions`. */
export const serviceGrants = (permissions: readonly string[]): string[] => permissions.map((p) => `${p}:any`);
