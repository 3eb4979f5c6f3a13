/** Payloads of the events emitted today. docs/events.md describes each. */
export interface TenantOnboardedData {
  tenant_id: string;
  slug: string;
  name: string;
  domains: string[];
  admin_user_id: string;
  /** True when provisioning was finished by crash recovery rather than the original request. */
  recovered: boolean;
}

export interface TenantProvisioningFailedData {
  tenant_id: string;
  slug: string;
  reason: string;
}

export interface TenantChangeData {
  tenant_id: string;
  slug: string;
}

export interface TenantUpdatedData extends TenantChangeData {
  changed: string[];
}

export interface TenantOffboardingData extends TenantChangeData {
  purge_after: string;
}

export interface ApiKeyData {
  api_key_id: string;
  name: string;
  scopes: string[];
  expires_at: string | null;
}

export interface EventCatalogue {
  'tenant.onboarded': TenantOnboardedData;
  'tenant.provisioning_failed': TenantProvisioningFailedData;
  'tenant.updated': TenantUpdatedData;
  'tenant.suspended': TenantChangeData;
  'tenant.resumed': TenantChangeData;
  'tenant.offboarding_started': TenantOffboardingData;
  'tenant.deleted': TenantChangeData;
  'platform.api_key.created': ApiKeyData;
  'platform.api_key.revoked': ApiKeyData;
}

export type EventType = keyof EventCatalogue;
