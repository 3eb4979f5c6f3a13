import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { createEventsWorld, EventsWorld, useEventsEnv } from '../support/events/events-world';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { AuditAppModule } from '../../apps/audit/src/audit-app.module';

const PASSWORD = 'a long enough password 1';

interface Credential {
  id: string;
  client_id: string;
  client_secret: string;
}

/** Services report events into a tenant's trail: audit.write only, validated, chained, and never mistaken for Credence's own. */
/** An object nested `levels` deep: {a: {a: ... {leaf: 1}}}. */
function deep(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('external audit events (POST /audit/events)', () => {
  let t: TestApp;
  let world: EventsWorld;
  let slug: string;
  let schema: string;
  let admin: string;
  let writer: Credential;
  let introspector: Credential;

  const basic = (c: Credential) => `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;
  /** POSTs as the writer credential, or with the given Authorization header, or (null) with none. */
  const post = async (body: unknown, authorization: string | null = basic(writer)) => {
    const res = await fetch(`${t.url}/v1/t/${slug}/audit/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  const stored = () => t.dataSource.query(`SELECT * FROM "${schema}".audit_log WHERE starts_with(type, 'external.') ORDER BY seq`);
  const now = () => new Date().toISOString();
  const valid = (over: Record<string, unknown> = {}) => ({
    type: 'invoice.paid',
    actor: 'user:billing-42',
    subject: 'invoice/8812',
    action: 'pay',
    outcome: 'success',
    details: { amount: 12.5, currency: 'EUR', lines: [{ sku: 'a', qty: 2 }] },
    occurred_at: now(),
    ...over,
  });

  beforeAll(async () => {
    world = await createEventsWorld('audit_external');
    useEventsEnv({});
    t = await startTestApp([AuthAppModule, AuditAppModule], { DATABASE_URL: world.databaseUrl, REDIS_PREFIX: world.prefix });
    slug = uniqueSlug('audext');
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'admin@audext.example', password: PASSWORD } });
    expect(res.status).toBe(201);
    [{ schema_name: schema }] = await t.dataSource.query('SELECT schema_name FROM platform.tenants WHERE slug = $1', [slug]);
    admin = (await t.call('POST', `/v1/t/${slug}/auth/login`, { email: 'admin@audext.example', password: PASSWORD }, { auth: false })).body.access_token;
    const create = async (name: string, permissions: string[]) => {
      const created = await t.call('POST', `/v1/t/${slug}/service-credentials`, { name, permissions }, { auth: admin });
      expect(created.status).toBe(201);
      return created.body as Credential;
    };
    writer = await create('billing', ['audit.write']);
    introspector = await create('gateway', ['token.introspect', 'token.revoke', 'permission.check', 'sync.write']);
  });
  afterAll(async () => {
    await t?.close();
    await world?.cleanup();
  });

  it('refuses callers without audit.write, and callers that are not services, storing nothing', async () => {
    const denied = await post(valid(), basic(introspector));
    expect([denied.status, denied.body.error.code]).toEqual([403, 'authz.access.denied']);
    const anonymous = await post(valid(), null);
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'auth.invalid_client']);
    const wrongSecret = await post(valid(), basic({ ...writer, client_secret: `${writer.client_secret.slice(0, -2)}${writer.client_secret.endsWith('xx') ? 'yy' : 'xx'}` }));
    expect([wrongSecret.status, wrongSecret.body.error.code]).toEqual([401, 'auth.invalid_client']);
    // A tenant admin's access token is not a service credential.
    const user = await post(valid(), `Bearer ${admin}`);
    expect([user.status, user.body.error.code]).toEqual([401, 'auth.invalid_client']);
    expect(await stored()).toEqual([]);
  });

  it('stores a report in the chain as external.<type>, with the credential as source and actor, and answers 201 with its id', async () => {
    const occurredAt = new Date(Date.now() - 60_000).toISOString();
    const res = await post(valid({ occurred_at: occurredAt }));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ event_id: expect.any(String), type: 'external.invoice.paid', source: `external:service_credential/${writer.id}`, occurred_at: occurredAt });
    const [row] = await stored();
    expect(row).toMatchObject({
      event_id: res.body.event_id,
      type: 'external.invoice.paid',
      source: `external:service_credential/${writer.id}`,
      actor_type: 'service',
      actor_id: writer.id,
      subject: 'invoice/8812',
      user_id: null,
      outcome: 'success',
      severity: 'info',
      ip: null,
      identity: null,
      trace_id: res.headers.get('x-trace-id'),
      payload: { action: 'pay', actor: 'user:billing-42', details: { amount: 12.5, currency: 'EUR', lines: [{ sku: 'a', qty: 2 }] } },
    });
    expect(row.occurred_at.toISOString()).toBe(occurredAt);
    const [head] = await t.dataSource.query(`SELECT last_seq FROM "${schema}".audit_chain`);
    expect(Number(head.last_seq)).toBeGreaterThanOrEqual(Number(row.seq));
  });

  it('keeps a report that names a Credence type from passing for one: stored under external., outside auth.*, no detection', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await post(valid({ type: 'auth.login.failed', outcome: 'failure', subject: 'user/00000000-0000-7000-8000-000000000001', details: undefined }));
      expect(res.status).toBe(201);
      expect(res.body.type).toBe('external.auth.login.failed');
    }
    const readAs = (query: string) => t.call('GET', `/v1/t/${slug}/audit/events?${query}&limit=100`, undefined, { auth: admin });
    const auth = await readAs('type=auth.*');
    expect(auth.status).toBe(200);
    expect(auth.body.data.filter((e: { source: string }) => e.source.startsWith('external:'))).toEqual([]);
    expect((await readAs('type=auth.login.failed')).body.data).toEqual([]);
    expect(await t.dataSource.query(`SELECT * FROM "${schema}".audit_incidents`)).toEqual([]);
  });

  it('shows reports to readers, filterable with type=external.*, and the chain still verifies', async () => {
    const listed = await t.call('GET', `/v1/t/${slug}/audit/events?type=external.*&limit=100`, undefined, { auth: admin });
    expect(listed.status).toBe(200);
    expect(listed.body.data).toHaveLength(7);
    const paid = listed.body.data.find((e: { type: string }) => e.type === 'external.invoice.paid');
    expect(paid).toMatchObject({
      source: `external:service_credential/${writer.id}`,
      actor: { type: 'service', id: writer.id },
      subject: 'invoice/8812',
      outcome: 'success',
      data: { action: 'pay', actor: 'user:billing-42', details: { amount: 12.5, currency: 'EUR' } },
    });
    const verified = await t.call('GET', `/v1/t/${slug}/audit/verify`, undefined, { auth: admin });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ valid: true, broken: null });
    expect(verified.body.rows_checked).toBeGreaterThanOrEqual(7);
  });

  it('refuses hostile and malformed bodies with 400 validation.failed and stores nothing', async () => {
    const before = (await stored()).length;
    const day = 86_400_000;
    const bodies: [string, unknown][] = [
      ['NUL in type', valid({ type: 'invoice\u0000.paid' })],
      ['NUL in actor', valid({ actor: 'user:\u0000admin' })],
      ['NUL in subject', valid({ subject: 'invoice/\u0000' })],
      ['NUL in action', valid({ action: 'pay\u0000' })],
      ['NUL in a details value', valid({ details: { note: 'a\u0000b' } })],
      ['NUL in a details key', valid({ details: { 'n\u0000': 1 } })],
      ['lone surrogate in details', valid({ details: { note: '\ud800' } })],
      ['lone surrogate in subject', valid({ subject: 'invoice/\udfff' })],
      ['details 6 levels deep', valid({ details: { a: { b: { c: { d: { e: { f: 1 } } } } } } })],
      ['details 20 levels deep', valid({ details: deep(20) })],
      ['huge details', valid({ details: { blob: 'x'.repeat(40_000) } })],
      ['too many details keys', valid({ details: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) })],
      ['details an array', valid({ details: [1, 2] })],
      ['details null', valid({ details: null })],
      ['details a string', valid({ details: '{}' })],
      ['Feb 31st', valid({ occurred_at: '2026-02-31T00:00:00Z' })],
      ['month 13', valid({ occurred_at: '2026-13-01T00:00:00Z' })],
      ['hour 24', valid({ occurred_at: '2026-03-01T24:00:00Z' })],
      ['no time zone', valid({ occurred_at: '2026-03-01T12:00:00' })],
      ['a date only', valid({ occurred_at: '2026-03-01' })],
      ['epoch millis', valid({ occurred_at: Date.now() })],
      ['a day ahead', valid({ occurred_at: new Date(Date.now() + day).toISOString() })],
      ['sixty days ago', valid({ occurred_at: new Date(Date.now() - 60 * day).toISOString() })],
      ['year 275760', valid({ occurred_at: '+275760-09-13T00:00:00Z' })],
      ['outcome not in the list', valid({ outcome: 'maybe' })],
      ['type in capitals', valid({ type: 'Invoice.Paid' })],
      ['type with an empty word', valid({ type: 'invoice..paid' })],
      ['type too long', valid({ type: `a${'.b'.repeat(50)}` })],
      ['actor too long', valid({ actor: 'x'.repeat(201) })],
      ['subject too long', valid({ subject: 'x'.repeat(501) })],
      ['action empty', valid({ action: '' })],
      ['a field missing', { ...valid(), subject: undefined }],
      ['an unknown field', valid({ severity: 'critical' })],
      ['a source of its own', valid({ source: 'credence/auth' })],
      ['not an object', [valid()]],
    ];
    for (const [name, body] of bodies) {
      const res = await post(body);
      expect([name, res.status, res.body?.error?.code]).toEqual([name, 400, 'validation.failed']);
    }
    expect((await stored()).length).toBe(before);
  });

  it('answers a body past the size limit with 413 and a broken one with 400 request.malformed', async () => {
    const before = (await stored()).length;
    const big = await post(valid({ details: { blob: 'x'.repeat(200_000) } }));
    expect([big.status, big.body.error.code]).toEqual([413, 'request.too_large']);
    const broken = await post('{"type": ');
    expect([broken.status, broken.body.error.code]).toEqual([400, 'request.malformed']);
    // Nesting past the parser's 32 levels is refused before validation runs.
    const tooDeep = await post(valid({ details: deep(200) }));
    expect([tooDeep.status, tooDeep.body.error.code]).toEqual([400, 'request.malformed']);
    expect((await stored()).length).toBe(before);
  });
});
