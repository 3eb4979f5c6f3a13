export const TENANT_STATUSES = ['provisioning', 'active', 'suspended', 'offboarding', 'deleted'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];
