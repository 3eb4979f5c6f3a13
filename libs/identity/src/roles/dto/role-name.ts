/**
 * Role names: lower-case, as the default tiers (`tenant_admin`). Never shaped like a UUID, so a path
 * segment names a role by id or by name without doubt.
 */
export const ROLE_NAME_PATTERN = /^(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)[a-z][a-z0-9_-]{1,62}$/;

export const ROLE_NAME_RULE = 'name must be 2-63 lower-case letters, digits, _ or -, start with a letter, and not be a UUID';
