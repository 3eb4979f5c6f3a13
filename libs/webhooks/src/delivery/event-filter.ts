import { CredenceCloudEvent, PERSONAL_PAYLOAD_FIELDS } from '@credence/contracts';

/** `*`, a type prefix with `.*` (`user.*`, `auth.login.*`), or one exact type. */
export const EVENT_TYPE_PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$/;

/** A field path: `data.ip`, `data.details.countries`, `actor`. */
export const FIELD_PATH = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){0,4}$/;

/** Envelope members a subscription cannot exclude: without them a receiver cannot verify or route. */
export const REQUIRED_FIELDS = new Set(['id', 'type', 'specversion', 'time', 'source']);

/** Personal fields as paths; they go out as null unless the subscription includes them (as the audit trail masks them). */
export const PERSONAL_FIELDS: readonly string[] = PERSONAL_PAYLOAD_FIELDS.map((f) => `data.${f}`);

export function matchesType(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

const MASK = '***';

function removePath(target: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path;
  if (!Object.prototype.hasOwnProperty.call(target, head)) return;
  if (!rest.length) {
    delete target[head];
    return;
  }
  const next = target[head];
  if (next && typeof next === 'object' && !Array.isArray(next)) {
    const copy = { ...(next as Record<string, unknown>) };
    target[head] = copy;
    removePath(copy, rest);
  }
}

/**
 * The JSON body a subscription receives: the CloudEvents envelope with personal fields it did not
 * include set to null (and an `ip/<address>` subject masked), then the fields it excludes removed.
 */
export function deliveryBody(event: CredenceCloudEvent, exclude: readonly string[], include: readonly string[]): string {
  const out: Record<string, unknown> = { ...event };
  const data = event.data && typeof event.data === 'object' ? { ...(event.data as Record<string, unknown>) } : undefined;
  if (data) {
    for (const path of PERSONAL_FIELDS) {
      const key = path.slice(5);
      if (key in data && data[key] !== null && !include.includes(path)) data[key] = null;
    }
    out.data = data;
  }
  if (typeof out.subject === 'string' && out.subject.startsWith('ip/') && !include.includes('data.ip')) out.subject = `ip/${MASK}`;
  for (const path of exclude) if (!REQUIRED_FIELDS.has(path)) removePath(out, path.split('.'));
  return JSON.stringify(out);
}
