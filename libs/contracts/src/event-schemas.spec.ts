import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_DATA_SCHEMAS, FORBIDDEN_PAYLOAD_FIELD, PERSONAL_PAYLOAD_FIELDS, contractProblems, payloadFields } from './event-schemas';
import type { EventType } from './event-types';

const DOC = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'events.md'), 'utf8');

/** Field names in the payload table of a `### \`type\`` section of docs/events.md. */
function documentedFields(type: string): string[] | undefined {
  const start = DOC.indexOf(`### \`${type}\``);
  if (start < 0) return undefined;
  const rest = DOC.slice(start + 4);
  const section = rest.slice(0, rest.search(/\n#{2,3} /) >>> 0 || rest.length);
  return [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
}

describe('event payload contracts', () => {
  const types = Object.keys(EVENT_DATA_SCHEMAS) as EventType[];

  it.each(types)('%s carries no secrets, codes or password material', (type) => {
    for (const field of payloadFields(type)) expect(field).not.toMatch(FORBIDDEN_PAYLOAD_FIELD);
  });

  it.each(types.filter((t) => payloadFields(t).some((f) => (PERSONAL_PAYLOAD_FIELDS as readonly string[]).includes(f))))(
    '%s allows null in its personal fields, which erasure blanks in stored copies',
    (type) => {
      const shape = (EVENT_DATA_SCHEMAS[type] as unknown as { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> }).shape;
      for (const field of PERSONAL_PAYLOAD_FIELDS) if (shape[field]) expect({ field, ok: shape[field].safeParse(null).success }).toEqual({ field, ok: true });
    },
  );

  it.each(types.filter((t) => documentedFields(t)))('docs/events.md lists exactly the payload fields of %s', (type) => {
    expect([...documentedFields(type)!].sort()).toEqual([...payloadFields(type)].sort());
  });

  it('refuses an event with an undeclared field, a wrong type or a broken envelope', () => {
    const good = {
      id: '01a2142a-bc02-701f-ace3-8ebb9c51fd87',
      specversion: '1.0' as const,
      source: 'credence/auth',
      type: 'tenant.suspended',
      time: '2026-11-25T19:24:34.690Z',
      subject: 'tenant/acme',
      datacontenttype: 'application/json' as const,
      dataschemaversion: 1,
      data: { tenant_id: '01a2142a-bba1-714e-a09f-5042f3343438', slug: 'acme' },
      tenantid: '01a2142a-bba1-714e-a09f-5042f3343438',
      actor: 'system',
    };
    expect(contractProblems(good)).toEqual([]);
    expect(contractProblems({ ...good, data: { ...good.data, password: 'x' } })).not.toEqual([]);
    expect(contractProblems({ ...good, data: { tenant_id: 'acme', slug: 'acme' } })).not.toEqual([]);
    expect(contractProblems({ ...good, type: 'tenant.vanished' })).toEqual(['no schema for type tenant.vanished']);
    expect(contractProblems({ ...good, specversion: '0.3' as '1.0' })).not.toEqual([]);
  });
});
