import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CredenceCloudEvent } from '@credence/contracts';

/** Events waiting for the relay, written in the same transaction as the change they describe. */
@Entity({ name: 'outbox', schema: 'platform' })
export class OutboxRow {
  /** Commit-independent insertion order; the relay reads in this order. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  position: string;

  @Column({ name: 'event_id', type: 'uuid', unique: true })
  eventId: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  /** `<kind>/<id>`: events of one aggregate are delivered in order. */
  @Column({ type: 'text' })
  aggregate: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'jsonb' })
  event: CredenceCloudEvent;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;
}
