import { z } from 'zod';
import { envBool as bool } from './env-bool';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `5s,5m,30m,2h` → milliseconds; undefined when a part is not `<integer><ms|s|m|h|d>`. */
export function parseDurations(list: string): number[] | undefined {
  const parts = list.split(',').map((p) => p.trim());
  const out: number[] = [];
  for (const p of parts) {
    const m = /^(\d{1,6})(ms|s|m|h|d)$/.exec(p);
    if (!m) return undefined;
    out.push(Number(m[1]) * UNIT_MS[m[2]]);
  }
  return out;
}

/** Settings of outbound webhooks (libs/webhooks, run by the sync app); part of configSchema. */
export const webhookSettings = {
  WEBHOOKS_ENABLED: bool.default(true),
  /** Hosts (or host:port) webhooks may reach even on private, loopback or link-local addresses. */
  WEBHOOK_ALLOWED_HOSTS: z.string().max(4000).default(''),
  /** The waits before each retry of a failed delivery; after the last, the delivery is dead. */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default('5s,5m,30m,2h,5h,10h,14h')
    .transform((v, ctx) => {
      const d = parseDurations(v);
      if (!d || d.length < 1 || d.length > 20) {
        ctx.addIssue({ code: 'custom', message: 'must be 1 to 20 comma-separated durations such as 5s,5m,2h' });
        return z.NEVER;
      }
      return d;
    }),
  /** The consumer group the webhook fan-out reads the event streams as. */
  WEBHOOK_CONSUMER_GROUP: z
    .string()
    .regex(/^[a-z0-9:_-]{1,60}$/)
    .default('credence-webhooks'),
  WEBHOOK_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  /** An endpoint failing for this long without a success is disabled. */
  WEBHOOK_DISABLE_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(5 * 24 * 3600),
};
