import { PERSONAL_PAYLOAD_FIELDS } from '@credence/contracts';
import type { UnitOfWork } from '@credence/tenancy';

/** As the outbox's: the stored events of a user that still hold a personal field, those fields set to null. */
const BLANK_STORED = `WITH done AS (
  UPDATE platform.event_store e
     SET event = jsonb_set(e.event, '{data}', (
       SELECT jsonb_object_agg(d.key, CASE WHEN d.key = ANY($3::text[]) THEN 'null'::jsonb ELSE d.value END)
         FROM jsonb_each(e.event->'data') d))
   WHERE e.tenant_id = $1
     AND (e.event->'data'->>'user_id' = $2 OR e.aggregate = 'user/' || $2)
     AND CASE WHEN jsonb_typeof(e.event->'data') = 'object'
              THEN EXISTS (SELECT 1 FROM jsonb_each(e.event->'data') d WHERE d.key = ANY($3::text[]) AND d.value <> 'null'::jsonb)
              ELSE false END
  RETURNING 1)
SELECT count(*)::int AS n FROM done`;

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
