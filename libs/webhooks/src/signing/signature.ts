import { createHmac } from 'node:crypto';

/** The HMAC key of a `whsec_` secret: the bytes its base64 part encodes. */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/**
 * The Standard Webhooks `webhook-signature` header: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`
 * for each secret, separated by spaces (two during a rotation's overlap).
 */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  return secrets.map((s) => `v1,${createHmac('sha256', secretKey(s)).update(`${id}.${timestamp}.${body}`).digest('base64')}`).join(' ');
}
