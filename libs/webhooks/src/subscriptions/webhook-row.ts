import type { WebhookData } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import type { UnitOfWork } from '@credence/tenancy';

export interface WebhookRow {
  id: string;
  url: string;
  description: string;
  event_types: string[];
  exclude_fields: string[];
  include_fields: string[];
  ordered: boolean;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: Date | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export interface WebhookResponse {
  id: string;
  url: string;
  description: string;
  event_types: string[];
  fields: { exclude: string[]; include: string[] };
  ordered: boolean;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  /** Only in the answers of create and rotate-secret. */
  secret?: string;
}

export const WEBHOOK_COLUMNS = `id, url, description, event_types, exclude_fields, include_fields, ordered, enabled, disabled_reason, failing_since, created_by, created_at, updated_at`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findWebhook(uow: UnitOfWork, id: string, forUpdate = false): Promise<WebhookRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const [row] = await uow.query<WebhookRow[]>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id.toLowerCase()]);
  return row;
}

export async function getWebhook(uow: UnitOfWork, id: string, forUpdate = false): Promise<WebhookRow> {
  const row = await findWebhook(uow, id, forUpdate);
  if (!row) throw new DomainError('webhook.not_found');
  return row;
}

export function toWebhookResponse(r: WebhookRow, secret?: string): WebhookResponse {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    event_types: r.event_types,
    fields: { exclude: r.exclude_fields, include: r.include_fields },
    ordered: r.ordered,
    enabled: r.enabled,
    disabled_reason: r.disabled_reason,
    failing_since: r.failing_since ? r.failing_since.toISOString() : null,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
    ...(secret ? { secret } : {}),
  };
}

export const webhookEventData = (r: WebhookRow): WebhookData => ({ webhook_id: r.id, url: r.url, event_types: r.event_types, enabled: r.enabled });
