import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** E-mail domain → tenant, for home-realm discovery. A domain belongs to one tenant at most. */
@Entity({ name: 'tenant_domains', schema: 'platform' })
export class TenantDomain {
  @PrimaryColumn({ type: 'text' })
  domain: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
