import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Tenant } from './tenant.platform-entity';

/** E-mail domain → tenant, for home-realm discovery. A domain belongs to one tenant at most. */
@Entity({ name: 'tenant_domains', schema: 'platform' })
export class TenantDomain {
  @PrimaryColumn({ type: 'text' })
  domain: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @ManyToOne(() => Tenant, (t) => t.domains, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: Tenant;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
