import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why a delivery was refused; `message` is safe to log. */
export class WebhookRejected extends Error {}

export interface VerifyOptions {
  /** The endpoint's `whsec_...` secrets (two while a rotation is in progress on your side). */
  secrets: readonly string[];
  /** Refuse timestamps further than this from now, either way (replay window). Default 300. */
  toleranceSeconds?: number;
  now?: () => number;
}

const header = (headers: Record<string, string | string[] | undefined>, name: string): string => {
  const v = headers[name];
  if (typeof v !== 'string' || !v) throw new WebhookRejected(`missing ${name} header`);
  return v;
};

const keyOf = (secret: string) => Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');

/**
 * Verifies a Standard Webhooks delivery with node:crypto alone: `webhook-signature` must hold a
 * `v1,` HMAC-SHA256 of `webhook-id.webhook-timestamp.body` under one of the secrets, and the
 * timestamp must be within the tolerance. `body` is the raw request body, byte for byte.
 * Returns the webhook id and the parsed event.
 */
export function verifyWebhook(headers: Record<string, string | string[] | undefined>, body: string | Buffer, o: VerifyOptions): { id: string; event: unknown } {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookRejected('webhook-timestamp is not a number');
  const now = Math.floor((o.now?.() ?? Date.now()) / 1000);
  if (Math.abs(now - Number(timestamp)) > (o.toleranceSeconds ?? 300)) throw new WebhookRejected('webhook-timestamp is too old or in the future');
  // The HMAC covers the body's bytes as received, not a decoding of them (which would map different bytes to one string).
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const given = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  const ok = o.secrets.some((secret) => {
    const expected = createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.`).update(bytes).digest();
    return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
  });
  if (!ok) throw new WebhookRejected('no valid signature');
  try {
    return { id, event: JSON.parse(bytes.toString('utf8')) };
  } catch {
    throw new WebhookRejected('the body is not JSON');
  }
}
