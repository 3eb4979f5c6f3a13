import { PERSONAL_PAYLOAD_FIELDS } from '@credence/contracts';
import { blankUserEventsSql } from '@credence/outbox';
import type { UnitOfWork } from '@credence/tenancy';

const BLANK_STORED = blankUserEventsSql('platform.event_store');

/**
 * Erasure's part in platform.event_store (what replay serves): nulls the personal fields
 * (PERSONAL_PAYLOAD_FIELDS) of the user's events, in the caller's transaction. The events stay,
 * with their ids and order, so a consumer replaying later sees that they happened, not who they
 * came from. Reads the tenant's events through (tenant_id, seq), so it costs a pass over the
 * tenant's kept events (event_retention_days).
 */
export async function eraseUserFromEventStore(db: Pick<UnitOfWork, 'query'>, tenantId: string, userId: string): Promise<number> {
  const [{ n }] = await db.query<{ n: number }[]>(BLANK_STORED, [tenantId, userId, PERSONAL_PAYLOAD_FIELDS]);
  return n;
}
