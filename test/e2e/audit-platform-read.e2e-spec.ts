import { startTestApp, TestApp, TEST_ADMIN_KEY, uniqueSlug } from '@credence/testing';
import { createEventsWorld, EventsWorld, useEventsEnv } from '../support/events/events-world';
import { waitFor } from '../support/child-platform';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { AuditAppModule } from '../../apps/audit/src/audit-app.module';

interface Key {
  id: string;
  secret: string;
  created_by: string;
}

/**
 * Platform admins reading the platform trail: filters and pages, export, verification, the trace
 * reads leave, and the guard. The platform trail is shared by every test file of the run: assertions
 * look only for this file's rows, and a row tampered with is restored within the same test.
 */
describe('platform audit trail (admin API)', () => {
  let t: TestApp;
  let world: EventsWorld;
  let reader: Key;
  let writer: Key;
  const keys: Key[] = [];
  let slug: string;
  /** Only rows of this file are looked for: from just before it began. */
  let since: string;

  const sql = (text: string, params?: unknown[]) => t.dataSource.query(text, params);
  const get = (path: string, auth: string | false = reader.secret) => t.call('GET', `/v1/admin/audit/${path}`, undefined, { auth });
  const events = async (query: string, auth?: string) => {
    const res = await get(`events?${query}`, auth);
    expect(res.status).toBe(200);
    return res.body as { data: any[]; meta: { next_cursor: string | null } };
  };
  const createKey = async (name: string, scopes: string[]): Promise<Key> => {
    const res = await t.call('POST', '/v1/admin/api-keys', { name, scopes });
    expect(res.status).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    // A database and Redis prefix of its own: the audit consumer group is not shared with other files' apps.
    world = await createEventsWorld('audit_platform');
    useEventsEnv({});
    t = await startTestApp([AuthAppModule, AuditAppModule], { DATABASE_URL: world.databaseUrl, REDIS_PREFIX: world.prefix });
    since = new Date(Date.now() - 1000).toISOString();
    reader = await createKey('audit reader', ['tenants:read']);
    writer = await createKey('tenant writer', ['tenants:write']);
    for (let i = 0; i < 4; i += 1) keys.push(await createKey(`paged ${i}`, ['tenants:read']));
    slug = uniqueSlug('audplat');
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: 'admin@audplat.example', password: 'a long enough password 1' } });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await world?.cleanup();
  });

  it('lists key creation and tenant onboarding, with filters', async () => {
    const created = await waitFor('platform.api_key.created in the platform trail', async () => {
      const { data } = await events(`type=platform.api_key.created&subject=api_key/${reader.id}`);
      return data.length === 1 && data[0];
    });
    expect(created).toMatchObject({
      type: 'platform.api_key.created',
      subject: `api_key/${reader.id}`,
      actor: { type: 'platform_admin', id: reader.created_by.replace(/^platform-admin:/, '') },
      outcome: 'success',
      severity: 'info',
      user_id: null,
      data: { api_key_id: reader.id, name: 'audit reader', scopes: ['tenants:read'] },
    });
    expect(created.seq).toEqual(expect.any(Number));

    const onboarded = await waitFor('tenant.onboarded in the platform trail', async () => {
      const { data } = await events(`type=tenant.*&subject=tenant/${slug}`);
      return data.find((e) => e.type === 'tenant.onboarded');
    });
    expect(onboarded.data).toMatchObject({ slug, recovered: false });

    // A prefix covers only its types; the actor filter takes type:id; outcome and period narrow.
    const lifecycle = await events(`type=tenant.*&subject=tenant/${slug}&limit=200`);
    expect(lifecycle.data.every((e) => e.type.startsWith('tenant.'))).toBe(true);
    const byActor = await events(`type=platform.api_key.created&actor=${reader.created_by}&limit=200&from=${since}`);
    expect(byActor.data.every((e) => e.actor.type === 'platform_admin' && e.actor.id === created.actor.id)).toBe(true);
    expect(byActor.data.map((e) => e.subject)).toContain(`api_key/${writer.id}`);
    expect((await events(`type=platform.api_key.created&subject=api_key/${reader.id}&outcome=failure`)).data).toEqual([]);
    expect((await events(`subject=api_key/${reader.id}&to=2001-01-01T00:00:00Z`)).data).toEqual([]);
    expect((await events(`type=platform.*&subject=api_key/${reader.id}&severity=info`)).data.map((e) => e.seq)).toEqual([created.seq]);

    // What the platform trail cannot hold is not a filter; malformed values and foreign cursors are refused.
    for (const bad of [
      'user_id=0190f7a2-0000-7000-8000-000000000001',
      'ip=10.0.0.1',
      'type=Bad Type',
      'cursor=bm90IG91cnM',
      'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      'limit=0',
    ]) {
      const res = await get(`events?${bad}`);
      expect({ bad, status: res.status, code: res.body.error?.code }).toEqual({ bad, status: 400, code: 'validation.failed' });
    }
  });

  it('pages newest first with a cursor, without gaps or repeats', async () => {
    const wanted = keys.map((k) => `api_key/${k.id}`);
    const query = `type=platform.api_key.created&actor=${reader.created_by}&from=${since}`;
    await waitFor('the paged keys in the trail', async () => {
      const { data } = await events(`${query}&limit=200`);
      return wanted.every((s) => data.some((e) => e.subject === s));
    });
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: any[]; meta: { next_cursor: string | null } } = await events(`${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data);
      cursor = page.meta.next_cursor;
    } while (cursor);
    expect(new Set(seen.map((e) => e.seq)).size).toBe(seen.length);
    for (let i = 1; i < seen.length; i += 1) {
      const [a, b] = [seen[i - 1], seen[i]];
      expect(a.occurred_at > b.occurred_at || (a.occurred_at === b.occurred_at && a.seq > b.seq)).toBe(true);
    }
    // Created one after the other: newest first, the last key comes first.
    const ours = seen.map((e) => e.subject).filter((s) => wanted.includes(s));
    expect(ours).toEqual([...wanted].reverse());
  });

  it('exports the platform trail as NDJSON', async () => {
    const res = await fetch(`${t.url}/v1/admin/audit/export?type=platform.api_key.created&subject=api_key/${reader.id}`, {
      headers: { authorization: `Bearer ${reader.secret}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-platform-\d{8}T\d{6}Z\.ndjson"$/);
    const lines = (await res.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines.map((e) => [e.type, e.subject])).toEqual([['platform.api_key.created', `api_key/${reader.id}`]]);
  });

  it('records every read as audit.log.accessed in the platform trail, personal fields shown', async () => {
    const marker = 'marker.platform_read';
    await events(`type=${marker}&subject=x`);
    expect((await get('verify')).status).toBe(200);
    const reads = await waitFor('the reads in the platform trail', async () => {
      const { data } = await events(`type=audit.log.accessed&actor=platform-admin:${reader.id}&limit=200`);
      return data.some((e) => e.data.filters.type === marker) && data.some((e) => e.data.action === 'verify') && data;
    });
    const query = reads.find((e) => e.data.filters.type === marker);
    expect(query).toMatchObject({
      subject: 'audit/platform',
      actor: { type: 'platform_admin', id: reader.id },
      outcome: 'success',
      data: { action: 'query', personal_fields: true, filters: { type: marker, subject: 'x', limit: '50' } },
    });
    expect(reads.map((e) => e.data.action)).toEqual(expect.arrayContaining(['query', 'export', 'verify']));
    // They are in the platform trail, not in the tenant's.
    const [schema] = await sql('SELECT schema_name FROM platform.tenants WHERE slug = $1', [slug]);
    const [{ n }] = await sql(`SELECT count(*)::int AS n FROM "${schema.schema_name}".audit_log WHERE actor_id = $1`, [reader.id]);
    expect(n).toBe(0);
  });

  it('verifies the platform chain and finds a changed row at its seq', async () => {
    const verify = async () => {
      const res = await get('verify');
      expect(res.status).toBe(200);
      return res.body;
    };
    const intact = await verify();
    expect(intact).toMatchObject({ valid: true, broken: null });
    expect(intact.rows_checked).toBeGreaterThan(0);
    expect(intact.last_seq).toBe(intact.head_seq);
    expect(intact.first_seq).toBe(intact.checkpoint ? intact.checkpoint.seq + 1 : 1);

    const { data } = await events(`type=platform.api_key.created&subject=api_key/${writer.id}`);
    const target: number = data[0].seq;
    expect(data[0].ip).toBeNull(); // restored to null below
    /** Maintenance (the only way past the append-only trigger), in one transaction of its own. */
    const maintain = (change: string) =>
      t.dataSource.transaction(async (m) => {
        await m.query(`SELECT set_config('credence.audit_maintenance', 'on', true)`);
        await m.query(`UPDATE platform.platform_audit_log SET ${change} WHERE seq = $1`, [target]);
      });
    // The trail is shared with every other file of the run: each change is undone before the test ends.
    try {
      await maintain(`payload = payload || '{"tampered": true}'`);
      expect(await verify()).toMatchObject({ valid: false, broken: { seq: target, event_id: data[0].event_id, reason: 'hash_mismatch' } });
      await maintain(`payload = payload - 'tampered'`);
      expect((await verify()).valid).toBe(true);

      await maintain(`ip = '203.0.113.9'`);
      expect((await verify()).broken).toMatchObject({ seq: target, reason: 'personal_fields_changed' });
    } finally {
      await maintain(`payload = payload - 'tampered', ip = NULL`);
    }
    expect((await verify()).valid).toBe(true);
  });

  it('needs tenants:read and a key', async () => {
    for (const path of ['events', 'export', 'verify']) {
      const denied = await get(path, writer.secret);
      expect({ path, status: denied.status, code: denied.body.error?.code }).toEqual({ path, status: 403, code: 'auth.insufficient_scope' });
      const anonymous = await get(path, false);
      expect({ path, status: anonymous.status, code: anonymous.body.error?.code }).toEqual({ path, status: 401, code: 'auth.missing_credentials' });
    }
    expect((await get('events?limit=1', TEST_ADMIN_KEY)).status).toBe(200);
  });
});
