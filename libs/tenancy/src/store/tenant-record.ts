import type { PendingAdmin } from '../entities/tenant.platform-entity';
import type { TenantSettings } from '../tenant-settings';
import type { TenantStatus } from '../tenant-status';

/** Runs one SQL statement and resolves to its rows: a UnitOfWork (in its transaction) or the DataSource (autocommit reads). */
export interface Sql {
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
}

/** A registry row as the platform admin API shows it, with the tenant's domains. */
export interface TenantRecord {
  id: string;
  slug: string;
  name: string;
  status: TenantStatus;
  settings: TenantSettings;
  db_version: number;
  domains: string[];
  created_at: Date;
  updated_at: Date;
  suspended_at: Date | null;
  purge_after: Date | null;
  deleted_at: Date | null;
}

/** What the workers that walk tenants need: where the tenant's data lives and in which state it is. */
export interface TenantSummary {
  id: string;
  slug: string;
  schema_name: string;
  status: TenantStatus;
  db_version: number;
}

/** A tenant with its schema and stored settings (no defaults filled in). */
export interface TenantWithSettings {
  id: string;
  slug: string;
  schema_name: string;
  status: TenantStatus;
  settings: TenantSettings;
}

/** A tenant being provisioned, locked by the provisioning transaction. */
export interface ProvisioningRecord {
  id: string;
  slug: string;
  name: string;
  schema_name: string;
  status: TenantStatus;
  pending_admin: PendingAdmin | null;
  domains: string[];
}

/** The row to claim a slug with: status `provisioning`, the pending first admin kept until provisioning completes. */
export interface TenantClaim {
  id: string;
  slug: string;
  name: string;
  schema: string;
  settings: TenantSettings;
  pendingAdmin: PendingAdmin;
  domains: string[];
}
