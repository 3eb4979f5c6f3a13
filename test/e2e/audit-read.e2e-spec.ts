import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp, TEST_ADMIN_KEY, uniqueSlug } from '@credence/testing';
import { createEventsWorld, EventsWorld, useEventsEnv } from '../support/events/events-world';
import { waitFor } from '../support/child-platform';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { AuditAppModule } from '../../apps/audit/src/audit-app.module';
import type { AuditRecord } from '../../libs/audit/src/trail/audit-record';
import { chain } from '../../libs/audit/src/trail/chain';
import { AuditExporter } from '../../libs/audit/src/query/export-events/audit-exporter';

const PASSWORD = 'a long enough password 1';

interface Fixture {
  seq: number;
  event_id: string;
  type: string;
  occurred_at: string;
  actor_id: string;
  user_id: string | null;
  outcome: 'success' | 'failure' | 'denied';
  severity: 'info' | 'medium' | 'high' | 'critical';
  ip: string | null;
  email: string | null;
}

/** Reading the audit trail: filters and pages, masking by permission, export, report, verify, incidents, and the trace reads leave. */
describe('audit read API', () => {
  let t: TestApp;
  let world: EventsWorld;
  const tenants: Record<string, { slug: string; schema: string; admin: string }> = {};
  let director: string;
  let employee: string;
  let adminId: string;

  const sql = (text: string, params?: unknown[]) => t.dataSource.query(text, params);
  const get = (tenant: string, path: string, auth: string) => t.call('GET', `/v1/t/${tenants[tenant].slug}/audit/${path}`, undefined, { auth });
  const login = async (slug: string, email: string) => {
    const res = await t.call('POST', `/v1/t/${slug}/auth/login`, { email, password: PASSWORD }, { auth: false });
    expect(res.status).toBe(200);
    return res.body as { access_token: string; user: { id: string } };
  };
  const makeTenant = async (name: string) => {
    const slug = uniqueSlug(`aud${name}`);
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: `admin@${name}.example`, password: PASSWORD } });
    expect(res.status).toBe(201);
    const [{ schema_name: schema }] = await sql('SELECT schema_name FROM platform.tenants WHERE slug = $1', [slug]);
    const admin = await login(slug, `admin@${name}.example`);
    tenants[name] = { slug, schema, admin: admin.access_token };
    return admin;
  };
  const makeUser = async (tenant: string, name: string, role: string) => {
    const { slug, admin } = tenants[tenant];
    const res = await t.call('POST', `/v1/t/${slug}/users`, { email: `${name}@${tenant}.example`, password: PASSWORD }, { auth: admin });
    expect(res.status).toBe(201);
    const assigned = await t.call('POST', `/v1/t/${slug}/users/${res.body.id}/roles/${role}`, undefined, { auth: admin });
    expect(assigned.status).toBe(200);
    return (await login(slug, `${name}@${tenant}.example`)).access_token;
  };

  // Tenant "q": 300 hand-made rows in 2020 (query, masking, report) and 100,000 in 2019 (export). Their
  // seq start at 10^9, far from what ingest appends; no chain is needed to read them.
  const fixtures: Fixture[] = [];
  const BASE = Date.UTC(2020, 2, 1);
  const TYPES = ['auth.login.succeeded', 'auth.login.failed', 'auth.token.issued', 'user.updated', 'authz.access.denied'];
  const USERS = [randomUUID(), randomUUID(), randomUUID()];

  async function insertFixtures(schema: string): Promise<void> {
    for (let i = 0; i < 300; i += 1) {
      const type = TYPES[i % 5];
      // Ties on occurred_at (three rows per second) make seq the tie-breaker.
      const at = new Date(BASE + Math.floor(i / 3) * 1000).toISOString();
      fixtures.push({
        seq: 1_000_000_000 + i,
        event_id: randomUUID(),
        type,
        occurred_at: at,
        actor_id: USERS[i % 3],
        user_id: i % 4 === 0 ? null : USERS[i % 3],
        outcome: type === 'auth.login.failed' ? 'failure' : type === 'authz.access.denied' ? 'denied' : 'success',
        severity: type === 'auth.login.failed' || type === 'authz.access.denied' ? 'medium' : i === 299 ? 'critical' : 'info',
        ip: i % 2 ? `10.1.0.${i % 6}` : null,
        email: i % 3 === 0 ? `person${i}@q.example` : null,
      });
    }
    await sql(
      `INSERT INTO "${schema}".audit_log (seq, event_id, type, occurred_at, source, actor_type, actor_id, subject, user_id, outcome, severity, ip, user_agent, location, identity, payload, personal_digest, hash)
       SELECT f.seq, f.event_id, f.type, f.occurred_at, 'credence/test', 'user', f.actor_id, 'user/' || coalesce(f.user_id::text, 'none'), f.user_id, f.outcome, f.severity,
              f.ip, CASE WHEN f.ip IS NOT NULL THEN '=cmd|calc' END, CASE WHEN f.ip IS NOT NULL THEN 'Berlin, DE' END,
              CASE WHEN f.email IS NOT NULL THEN jsonb_build_object('email', f.email) END, jsonb_build_object('i', f.seq - 1000000000), '\\x00', '\\x00'
         FROM jsonb_to_recordset($1::jsonb) AS f(seq bigint, event_id uuid, type text, occurred_at timestamptz, actor_id text, user_id uuid, outcome text, severity text, ip text, email text)`,
      [JSON.stringify(fixtures)],
    );
    // Real rows all lie at or below the chain head (exports stop there); move the head past the fixtures
    // and the bulk rows below. Ingest then appends from 3,000,000,000 on.
    await sql(`UPDATE "${schema}".audit_chain SET last_seq = 2999999999`);
  }

  const newestFirst = (rows: Fixture[]) => [...rows].sort((a, b) => b.occurred_at.localeCompare(a.occurred_at) || b.seq - a.seq).map((r) => r.seq);

  async function pageAll(tenant: string, query: string, auth: string, limit: number): Promise<number[]> {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await get(tenant, `events?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, auth);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(limit);
      seen.push(...res.body.data.map((e: { seq: number }) => e.seq));
      cursor = res.body.meta.next_cursor;
    } while (cursor);
    return seen;
  }

  beforeAll(async () => {
    // A database and Redis prefix of its own: the audit consumer group is not shared with other files' apps.
    world = await createEventsWorld('audit_read');
    useEventsEnv({});
    t = await startTestApp([AuthAppModule, AuditAppModule], { DATABASE_URL: world.databaseUrl, REDIS_PREFIX: world.prefix });
    const admin = await makeTenant('q');
    adminId = admin.user.id;
    director = await makeUser('q', 'dora', 'director');
    employee = await makeUser('q', 'emil', 'employee');
    await makeTenant('v');
    // The trigger refuses UPDATE/DELETE, not INSERT, and no maintenance flag is needed to add fixtures.
    await insertFixtures(tenants.q.schema);
  });
  afterAll(async () => {
    await t?.close();
    await world?.cleanup();
  });

  it('filters and pages newest first, returning exactly the matching rows once each', async () => {
    const range = `from=2020-03-01T00:00:00Z&to=2020-03-02T00:00:00Z`;
    const cases: [string, (f: Fixture) => boolean][] = [
      ['', () => true],
      ['type=auth.login.failed', (f) => f.type === 'auth.login.failed'],
      ['type=auth.*', (f) => f.type.startsWith('auth.')],
      [`actor=user:${USERS[1]}`, (f) => f.actor_id === USERS[1]],
      [`actor=${USERS[2]}`, (f) => f.actor_id === USERS[2]],
      [`user_id=${USERS[0]}&outcome=success`, (f) => f.user_id === USERS[0] && f.outcome === 'success'],
      [`subject=user/${USERS[2]}`, (f) => f.user_id === USERS[2]],
      ['outcome=denied', (f) => f.outcome === 'denied'],
      ['severity=critical', (f) => f.severity === 'critical'],
      ['ip=10.1.0.3', (f) => f.ip === '10.1.0.3'],
      ['type=auth.login.failed&outcome=denied', () => false],
      ['type=nothing.*', () => false],
    ];
    for (const [filter, match] of cases) {
      const got = await pageAll('q', `${range}&${filter}`, tenants.q.admin, 23);
      expect({ filter, got }).toEqual({ filter, got: newestFirst(fixtures.filter(match)) });
    }
    const window = await pageAll('q', 'from=2020-03-01T00:00:10Z&to=2020-03-01T00:00:20Z', tenants.q.admin, 200);
    expect(window).toEqual(newestFirst(fixtures.filter((f) => f.occurred_at >= '2020-03-01T00:00:10' && f.occurred_at < '2020-03-01T00:00:20')));
  });

  it('shows an event in its documented shape, with personal fields to a tenant admin', async () => {
    const f = fixtures[3];
    const res = await get('q', `events?from=2020-03-01T00:00:01Z&to=2020-03-01T00:00:02Z&actor=${f.actor_id}`, tenants.q.admin);
    expect(res.body.data).toEqual([
      {
        seq: f.seq,
        event_id: f.event_id,
        type: f.type,
        occurred_at: f.occurred_at,
        recorded_at: expect.any(String),
        source: 'credence/test',
        actor: { type: 'user', id: f.actor_id },
        subject: `user/${f.user_id}`,
        user_id: f.user_id,
        outcome: f.outcome,
        severity: f.severity,
        ip: f.ip,
        user_agent: '=cmd|calc',
        location: 'Berlin, DE',
        trace_id: null,
        data: { i: 3, email: f.email },
      },
    ]);
  });

  it('masks ip, user agent, location and identity for a director, refuses them an ip filter, and refuses readers without audit.read', async () => {
    const res = await get('q', 'events?from=2020-03-01T00:00:00Z&to=2020-03-02T00:00:00Z&limit=200', director);
    expect(res.status).toBe(200);
    const byseq = new Map<number, any>(res.body.data.map((e: { seq: number }) => [e.seq, e]));
    const withIp = fixtures.filter((f) => f.ip && f.email).pop()!;
    expect(byseq.get(withIp.seq)).toMatchObject({ ip: '***', user_agent: '***', location: '***', data: { email: '***' }, user_id: withIp.user_id });
    const without = fixtures.filter((f) => !f.ip && !f.email).pop()!;
    expect(byseq.get(without.seq)).toMatchObject({ ip: null, user_agent: null, location: null, data: { i: without.seq - 1_000_000_000 } });
    expect(JSON.stringify(res.body)).not.toContain('@q.example');

    const byIp = await get('q', 'events?ip=10.1.0.3', director);
    expect(byIp.status).toBe(403);
    expect(byIp.body.error.code).toBe('authz.access.denied');
    for (const path of ['events', 'export', 'report', 'verify', 'incidents']) {
      const refused = await get('q', path, employee);
      expect({ path, status: refused.status, code: refused.body.error?.code }).toEqual({ path, status: 403, code: 'authz.access.denied' });
    }
    expect((await get('q', 'events', TEST_ADMIN_KEY)).status).toBe(401);
  });

  it('masks subjects that carry an address or e-mail for a director, and refuses them such a subject filter', async () => {
    const { schema } = tenants.q;
    // Detection's per-address incident has the address as its subject; travel evidence names countries.
    await sql(
      `INSERT INTO "${schema}".audit_log (seq, event_id, type, occurred_at, source, actor_type, actor_id, subject, outcome, severity, ip, payload, personal_digest, hash)
       VALUES (1000000500, gen_random_uuid(), 'security.violation.detected', '2021-01-01T00:00:01Z', 'credence/audit', 'system', 'audit', 'ip/10.1.0.3', 'failure', 'critical', '10.1.0.3',
               '{"rule": "audit.failed_logins_per_ip", "severity": "high", "user_id": null, "details": {"failures": 20}}', '\\x00', '\\x00'),
              (1000000501, gen_random_uuid(), 'security.violation.detected', '2021-01-01T00:00:02Z', 'credence/audit', 'system', 'audit', 'mailbox/grace@q.example', 'failure', 'critical', NULL,
               '{"rule": "audit.impossible_travel", "severity": "high", "user_id": null, "details": {"countries": ["FR", "JP"]}}', '\\x00', '\\x00')`,
    );
    const range = 'from=2021-01-01T00:00:00Z&to=2021-01-02T00:00:00Z';
    const masked = await get('q', `events?${range}`, director);
    expect(masked.status).toBe(200);
    expect(masked.body.data.map((e: { subject: string }) => e.subject)).toEqual(['mailbox/***', 'ip/***']);
    expect(masked.body.data[0].data.details).toEqual({ countries: ['***', '***'] });
    expect(JSON.stringify(masked.body)).not.toMatch(/10\.1\.0\.3|grace@|"FR"/);
    const exported = await fetch(`${t.url}/v1/t/${tenants.q.slug}/audit/export?format=csv&${range}`, { headers: { authorization: `Bearer ${director}` } });
    expect(exported.status).toBe(200);
    expect(await exported.text()).not.toMatch(/10\.1\.0\.3|grace@/);

    const shown = await get('q', `events?${range}`, tenants.q.admin);
    expect(shown.body.data.map((e: { subject: string }) => e.subject)).toEqual(['mailbox/grace@q.example', 'ip/10.1.0.3']);
    expect(shown.body.data[0].data.details).toEqual({ countries: ['FR', 'JP'] });
    const found = await get('q', `events?subject=ip/10.1.0.3`, tenants.q.admin);
    expect(found.body.data.map((e: { seq: number }) => e.seq)).toEqual([1000000500]);

    // Refused whether or not it would match, so the answer tells nothing; as ?ip= is.
    for (const subject of ['ip/10.1.0.3', 'ip/10.1.0.99', 'mailbox/grace@q.example', 'user/grace@q.example']) {
      for (const path of ['events', 'export']) {
        const refused = await get('q', `${path}?subject=${encodeURIComponent(subject)}`, director);
        expect({ subject, path, status: refused.status, code: refused.body.error?.code }).toEqual({ subject, path, status: 403, code: 'authz.access.denied' });
      }
    }
    expect((await get('q', `events?subject=user/${USERS[0]}`, director)).status).toBe(200);
  });

  it('rejects bad filters and foreign cursors', async () => {
    for (const q of [
      'from=yesterday',
      'type=auth.%25',
      'outcome=maybe',
      'severity=low',
      'limit=201',
      'limit=0',
      'user_id=me',
      'ip=not-an-ip',
      'cursor=%24%24',
      'cursor=abc',
      'unknown=1',
      'from=2020-03-02T00:00:00Z&to=2020-03-01T00:00:00Z',
    ]) {
      const res = await get('q', `events?${q}`, tenants.q.admin);
      expect({ q, status: res.status, code: res.body.error?.code }).toEqual({ q, status: 400, code: 'validation.failed' });
    }
  });

  it('reports totals, failures, success rate, unique users, counts by type and by day, as inserted', async () => {
    const res = await get('q', 'report?from=2020-03-01T00:00:00Z&to=2020-03-02T00:00:00Z', director);
    expect(res.status).toBe(200);
    const failed = fixtures.filter((f) => f.outcome === 'failure').length;
    const denied = fixtures.filter((f) => f.outcome === 'denied').length;
    expect(res.body.period).toEqual({ from: '2020-03-01T00:00:00.000Z', to: '2020-03-02T00:00:00.000Z' });
    expect(res.body.totals).toEqual({
      events: 300,
      successes: 300 - failed - denied,
      failures: failed + denied,
      failed,
      denied,
      success_rate: Math.round(((300 - failed - denied) / 300) * 10_000) / 10_000,
      unique_users: 3,
    });
    expect(res.body.by_type).toEqual(
      expect.arrayContaining(TYPES.map((type) => ({ type, events: 60, failures: type === 'auth.login.failed' || type === 'authz.access.denied' ? 60 : 0 }))),
    );
    expect(res.body.by_type).toHaveLength(5);
    expect(res.body.by_day).toEqual([{ date: '2020-03-01', events: 300, failures: failed + denied, unique_users: 3 }]);
    const empty = await get('q', 'report?from=2010-01-01T00:00:00Z&to=2010-01-02T00:00:00Z', director);
    expect(empty.body.totals).toMatchObject({ events: 0, success_rate: null, unique_users: 0 });
  });

  it('exports CSV with a header, RFC 4180 quoting, neutralised formulas and the same masking', async () => {
    const res = await fetch(`${t.url}/v1/t/${tenants.q.slug}/audit/export?format=csv&from=2020-03-01T00:00:00Z&to=2020-03-02T00:00:00Z&type=auth.login.failed`, {
      headers: { authorization: `Bearer ${director}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="audit-${tenants.q.slug}-\\d{8}T\\d{6}Z\\.csv"$`));
    const lines = (await res.text()).split('\r\n');
    expect(lines[0]).toBe('seq,event_id,type,occurred_at,recorded_at,source,actor_type,actor_id,subject,user_id,outcome,severity,ip,user_agent,location,trace_id,data');
    expect(lines.pop()).toBe('');
    const expected = fixtures.filter((f) => f.type === 'auth.login.failed');
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(expected.map((f) => f.seq));
    expect(lines.slice(1).every((l) => !l.includes('@q.example') && !l.includes('10.1.0.'))).toBe(true);

    const admin = await fetch(`${t.url}/v1/t/${tenants.q.slug}/audit/export?format=csv&from=2020-03-01T00:00:00Z&to=2020-03-02T00:00:00Z&ip=10.1.0.1`, {
      headers: { authorization: `Bearer ${tenants.q.admin}` },
    });
    const row = (await admin.text()).split('\r\n')[1];
    expect(row).toContain(',10.1.0.1,\'=cmd|calc,"Berlin, DE",');
  });

  it('streams 100,000 rows as NDJSON without reading ahead of the client', async () => {
    const { schema, slug, admin } = tenants.q;
    await sql(
      `INSERT INTO "${schema}".audit_log (seq, event_id, type, occurred_at, source, actor_type, actor_id, subject, outcome, severity, ip, payload, personal_digest, hash)
       SELECT 2000000000 + g, gen_random_uuid(), 'auth.token.issued', timestamptz '2019-01-01' + g * interval '1 second', 'credence/test', 'system', NULL, 'bulk',
              'success', 'info', '10.9.0.1', jsonb_build_object('n', g, 'pad', repeat('x', 100)), '\\x00', '\\x00'
         FROM generate_series(1, 100000) g`,
    );
    const exporter = t.app.get(AuditExporter);
    const batch = jest.spyOn(exporter, 'batch');
    try {
      const res = await fetch(`${t.url}/v1/t/${slug}/audit/export?from=2019-01-01T00:00:00Z&to=2019-12-31T00:00:00Z`, { headers: { authorization: `Bearer ${admin}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-ndjson');
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      // The client stops reading: the server may fill the socket buffers, then must wait instead of reading on.
      let settled = -1;
      await waitFor('the export to stop reading ahead', async () => {
        const now = batch.mock.calls.length;
        const still = now === settled;
        settled = now;
        await new Promise((r) => setTimeout(r, 150));
        return still;
      });
      expect(settled * 1000).toBeLessThan(40_000);

      const decoder = new TextDecoder();
      let text = decoder.decode(first.value, { stream: true });
      let lines = 0;
      let firstLine = '';
      let lastLine = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (value) text += decoder.decode(value, { stream: true });
        const parts = text.split('\n');
        text = parts.pop()!;
        for (const line of parts) {
          if (!lines) firstLine = line;
          lastLine = line;
          lines += 1;
        }
        if (done) break;
      }
      expect(text).toBe('');
      expect(lines).toBe(100_000);
      expect(JSON.parse(firstLine)).toMatchObject({ seq: 2_000_000_001, ip: '10.9.0.1', occurred_at: '2019-01-01T00:00:01.000Z' });
      expect(JSON.parse(lastLine).seq).toBe(2_000_100_000);
      expect(batch.mock.calls.length).toBe(101);
    } finally {
      batch.mockRestore();
    }
  });

  it('records every read as audit.log.accessed in the trail, with the ip filter masked', async () => {
    const marker = 'marker.only_this_read';
    expect((await get('q', `events?type=${marker}&ip=10.1.0.3`, tenants.q.admin)).status).toBe(200);
    await get('q', 'verify', director);
    const rows = await waitFor('the reads in the trail', async () => {
      const found = await sql(
        `SELECT actor_type, actor_id, subject, payload FROM "${tenants.q.schema}".audit_log WHERE type = 'audit.log.accessed' AND occurred_at > now() - interval '5 minutes' ORDER BY seq`,
      );
      return found.some((r: any) => r.payload.filters.type === marker) && found.some((r: any) => r.payload.action === 'verify') && found;
    });
    const query = rows.find((r: any) => r.payload.filters.type === marker);
    expect(query).toEqual({
      actor_type: 'user',
      actor_id: adminId,
      subject: `audit/${tenants.q.slug}`,
      payload: { action: 'query', personal_fields: true, filters: { type: marker, ip: '***', limit: '50' } },
    });
    expect(rows.find((r: any) => r.payload.action === 'verify').payload.personal_fields).toBe(false);
    const actions = new Set(rows.map((r: any) => r.payload.action));
    for (const action of ['query', 'export', 'report', 'verify']) expect(actions).toContain(action);
  });

  it('lists incidents newest first, page by page, by rule, with addresses masked for a director', async () => {
    const { schema } = tenants.q;
    const base = Date.UTC(2026, 0, 1);
    const incidents = Array.from({ length: 5 }, (_, i) => ({
      id: randomUUID(),
      rule: i % 2 ? 'audit.failed_logins_per_ip' : 'audit.failed_logins_per_account',
      at: new Date(base + i * 1000).toISOString(),
      ip: `10.7.0.${i}`,
    }));
    for (const x of incidents) {
      await sql(
        `INSERT INTO "${schema}".audit_incidents (id, rule, severity, key, user_id, ip, event_count, window_started_at, detected_at, trigger_event_id, details)
         VALUES ($1, $2, 'high', $3, NULL, $4, 10, $5::timestamptz - interval '5 minutes', $5, $6, '{"failures": 10}')`,
        [x.id, x.rule, x.rule.endsWith('_ip') ? x.ip : randomUUID(), x.ip, x.at, randomUUID()],
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await get('q', `incidents?limit=2${cursor ? `&cursor=${cursor}` : ''}`, director);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((x: { id: string }) => x.id));
      for (const x of res.body.data) {
        expect(x.ip).toBe('***');
        if (x.rule === 'audit.failed_logins_per_ip') expect(x.key).toBe('***');
      }
      cursor = res.body.meta.next_cursor;
    } while (cursor);
    expect(seen).toEqual(incidents.map((x) => x.id).reverse());
    const perIp = await get('q', 'incidents?rule=audit.failed_logins_per_ip', tenants.q.admin);
    expect(perIp.body.data.map((x: { ip: string; key: string }) => [x.ip, x.key])).toEqual([
      ['10.7.0.3', '10.7.0.3'],
      ['10.7.0.1', '10.7.0.1'],
    ]);
  });

  describe('verify', () => {
    const record = (i: number): AuditRecord => ({
      event_id: randomUUID(),
      type: i % 2 ? 'auth.login.succeeded' : 'user.updated',
      occurred_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      source: 'credence/test',
      actor_type: 'user',
      actor_id: `a${i % 9}`,
      subject: `user/x${i}`,
      user_id: null,
      outcome: 'success',
      severity: 'info',
      trace_id: null,
      payload: { i, z: { b: [1, 2], a: 'é' } },
      ip: `10.2.0.${i % 250}`,
      user_agent: 'ua',
      location: 'Paris, FR',
      identity: i % 3 ? null : { email: `v${i}@v.example` },
    });
    const verify = async () => {
      const res = await get('v', 'verify', tenants.v.admin);
      expect(res.status).toBe(200);
      return res.body;
    };
    let seqs: number[] = [];

    /** Appends a valid chain as the ingest writer does: under the head's row lock, after the head. */
    beforeAll(async () => {
      const { schema } = tenants.v;
      await t.dataSource.transaction(async (m) => {
        const [head] = await m.query(`SELECT last_seq, last_hash FROM "${schema}".audit_chain FOR UPDATE`);
        const rows = chain(
          Array.from({ length: 12_000 }, (_, i) => record(i)),
          Number(head.last_seq),
          head.last_hash,
        );
        await m.query(
          `INSERT INTO "${schema}".audit_log (seq, event_id, type, occurred_at, source, actor_type, actor_id, subject, user_id, outcome, severity, ip, user_agent, location, identity, trace_id, payload, personal_digest, hash)
           SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::uuid[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::jsonb[], $16::text[], $17::jsonb[], $18::bytea[], $19::bytea[])`,
          [
            rows.map((r) => r.seq),
            rows.map((r) => r.event_id),
            rows.map((r) => r.type),
            rows.map((r) => r.occurred_at),
            rows.map((r) => r.source),
            rows.map((r) => r.actor_type),
            rows.map((r) => r.actor_id),
            rows.map((r) => r.subject),
            rows.map((r) => r.user_id),
            rows.map((r) => r.outcome),
            rows.map((r) => r.severity),
            rows.map((r) => r.ip),
            rows.map((r) => r.user_agent),
            rows.map((r) => r.location),
            rows.map((r) => (r.identity ? JSON.stringify(r.identity) : null)),
            rows.map((r) => r.trace_id),
            rows.map((r) => JSON.stringify(r.payload)),
            rows.map((r) => r.personal_digest),
            rows.map((r) => r.hash),
          ],
        );
        const last = rows[rows.length - 1];
        await m.query(`UPDATE "${schema}".audit_chain SET last_seq = $1, last_hash = $2`, [last.seq, last.hash]);
        seqs = rows.map((r) => r.seq);
      });
    });

    /** Runs `change` as maintenance (the only way past the append-only trigger) in one transaction. */
    const tamper = (change: string, params: unknown[] = []) =>
      t.dataSource.transaction(async (m) => {
        await m.query(`SELECT set_config('credence.audit_maintenance', 'on', true)`);
        await m.query(change.replaceAll('audit_log', `"${tenants.v.schema}".audit_log`), params);
      });

    it('verifies an intact chain, ingested events included, across batches', async () => {
      const body = await verify();
      expect(body).toMatchObject({ valid: true, broken: null, checkpoint: null, first_seq: 1 });
      expect(body.rows_checked).toBeGreaterThan(12_000);
      expect(body.last_seq).toBe(body.head_seq);
    });

    it('finds a changed payload and a changed ip at their seq', async () => {
      const target = seqs[7_000];
      await tamper(`UPDATE audit_log SET payload = payload || '{"i": -1}' WHERE seq = $1`, [target]);
      expect((await verify()).broken).toMatchObject({ seq: target, reason: 'hash_mismatch' });
      await tamper(`UPDATE audit_log SET payload = payload || jsonb_build_object('i', $1::int) WHERE seq = $2`, [7_000, target]);
      expect((await verify()).valid).toBe(true);

      await tamper(`UPDATE audit_log SET ip = '203.0.113.9' WHERE seq = $1`, [seqs[42]]);
      expect((await verify()).broken).toMatchObject({ seq: seqs[42], reason: 'personal_fields_changed' });
      await tamper(`UPDATE audit_log SET ip = NULL, user_agent = NULL, location = NULL, identity = NULL, erased_at = now() WHERE seq = $1`, [seqs[42]]);
      expect((await verify()).valid).toBe(true);
    });

    it('finds personal fields written into a row marked erased', async () => {
      // Erasure blanks all four; a row marked erased that holds any of them was changed after (or instead of) erasure.
      const target = seqs[43];
      await tamper(`UPDATE audit_log SET ip = '203.0.113.7', user_agent = NULL, location = NULL, identity = NULL, erased_at = now() WHERE seq = $1`, [target]);
      expect((await verify()).broken).toMatchObject({ seq: target, reason: 'personal_fields_changed' });
      await tamper(`UPDATE audit_log SET ip = NULL, identity = '{"email": "forged@v.example"}' WHERE seq = $1`, [target]);
      expect((await verify()).broken).toMatchObject({ seq: target, reason: 'personal_fields_changed' });
      await tamper(`UPDATE audit_log SET identity = NULL WHERE seq = $1`, [target]);
      expect((await verify()).valid).toBe(true);
    });

    it('finds a deleted middle row and a deleted newest row', async () => {
      const { schema } = tenants.v;
      const middle = seqs[5_555];
      await sql(`CREATE TABLE "${schema}".saved_row AS SELECT * FROM "${schema}".audit_log WHERE seq = $1`, [middle]);
      await tamper(`DELETE FROM audit_log WHERE seq = $1`, [middle]);
      expect((await verify()).broken).toMatchObject({ seq: middle, reason: 'missing_row', event_id: null });
      await sql(`INSERT INTO "${schema}".audit_log SELECT * FROM "${schema}".saved_row`);
      expect((await verify()).valid).toBe(true);

      // Wait until the reads above are in the trail, so the newest row stays the newest.
      await waitFor('ingest to settle', async () => {
        const [{ n }] = await sql(`SELECT count(*)::int AS n FROM "${schema}".audit_log WHERE type = 'audit.log.accessed'`);
        return n >= 7;
      });
      const [{ last_seq: newest }] = await sql(`SELECT last_seq FROM "${schema}".audit_chain`);
      await tamper(`DELETE FROM audit_log WHERE seq = $1`, [newest]);
      const broken = (await verify()).broken;
      // Verify's own read may be ingested before the walk reads the head: then the gap is a missing row.
      expect(broken.seq).toBe(Number(newest));
      expect(['head_mismatch', 'missing_row']).toContain(broken.reason);
    });
  });
});
