/** Role names: lower-case, as the default tiers (`tenant_admin`); never a UUID, so a path segment can be either. */
export const ROLE_NAME_PATTERN = /^[a-z][a-z0-9_-]{1,62}$/;
