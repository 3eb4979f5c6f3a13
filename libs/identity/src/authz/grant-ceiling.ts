import { parsePermission } from './permission';

/**
 * Credence's own resources: permissions on them decide who administers the tenant. A role manager
 * may hand them out only as far as they hold them; permissions of a tenant's own applications
 * (any other resource name) are theirs to define freely.
 */
export const CREDENCE_RESOURCES: ReadonlySet<string> = new Set([
  'user',
  'role',
  'session',
  'audit',
  'settings',
  'idp',
  'key',
  'service_credential',
  'permission',
  'profile',
  'event',
  'app',
  'webhook',
  'directory',
]);

/**
 * The permissions in `granted` on Credence's own resources that `held` does not cover. A held
 * `resource.action:any` covers every scope of that action; another scope covers only itself.
 */
export function beyondCeiling(granted: readonly string[], held: readonly string[]): string[] {
  const holds = new Set(held);
  return granted.filter((text) => {
    const p = parsePermission(text);
    if (!p || !CREDENCE_RESOURCES.has(p.resource)) return false;
    return !holds.has(text) && !holds.has(`${p.resource}.${p.action}:any`);
  });
}
