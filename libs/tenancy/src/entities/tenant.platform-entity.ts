import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { TenantStatus } from '../tenant-status';
import type { TenantSettings } from '../tenant-settings';

/** Admin to create once provisioning completes; kept only while the tenant is provisioning. */
export interface PendingAdmin {
  user_id: string;
  email: string;
  password_hash: string | null;
  invite_token_hash: string | null;
}

@Entity({ name: 'tenants', schema: 'platform' })
export class Tenant {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text', unique: true })
  slug: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'schema_name', type: 'text', unique: true })
  schemaName: string;

  @Column({ type: 'text' })
  status: TenantStatus;

  @Column({ type: 'jsonb', default: {} })
  settings: TenantSettings;

  @Column({ name: 'db_version', type: 'integer', default: 0 })
  dbVersion: number;

  @Column({ name: 'pending_admin', type: 'jsonb', nullable: true, select: false })
  pendingAdmin: PendingAdmin | null;

  @Column({ name: 'purge_after', type: 'timestamptz', nullable: true })
  purgeAfter: Date | null;

  @Column({ name: 'suspended_at', type: 'timestamptz', nullable: true })
  suspendedAt: Date | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
