import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { tenantMigrations } from '@migrations/tenant';
import { TEST_ADMIN_KEY, uniqueSlug } from '@credence/testing';
import { ChildPlatform, ensureBuilt, startChildPlatform, waitFor } from '../support/child-platform';

const SCHEMA_LOCK = 'credence:tenant-schemas';

/**
 * A platform process killed in the middle of provisioning leaves no half tenant: after a restart
 * the tenant is completed (or removed when it cannot be), and the outcome is reported as an event.
 */
describe('crash during provisioning', () => {
  let db: Client;
  let child: ChildPlatform | undefined;

  beforeAll(async () => {
    ensureBuilt();
    db = new Client({ connectionString: process.env.CREDENCE_TEST_DATABASE_URL });
    await db.connect();
  }, 120_000);
  afterAll(async () => {
    await child?.kill();
    await db.end();
  });

  const tenantBySlug = async (slug: string) => (await db.query('SELECT id, status, schema_name FROM platform.tenants WHERE slug = $1', [slug])).rows[0];
  const schemaExists = async (schema: string) => (await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
  const roleExists = async (schema: string) => (await db.query(`SELECT 1 FROM pg_roles WHERE rolname = $1 || '_' || left(md5(current_database()), 8)`, [schema])).rowCount === 1;

  it('completes a tenant whose process was killed mid-provisioning, once the platform restarts', async () => {
    child = await startChildPlatform();
    const slug = uniqueSlug('crash');
    // Hold the tenant-schema lock as a migration run would: provisioning will stop inside its transaction, before it takes a spare or creates the schema.
    await db.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [SCHEMA_LOCK]);
    let released = false;
    try {
      const request = fetch(`${child.url}/v1/admin/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ slug, name: 'Crash Corp', domains: [`${slug}.example`], admin: { email: 'ada@crash.example', password: 'a long enough password' } }),
      }).catch((err: Error) => err);

      const waiting = await waitFor('provisioning to block inside its transaction', async () => {
        const rows = await db.query(
          `SELECT a.pid FROM pg_stat_activity a WHERE a.application_name = 'credence-platform' AND a.wait_event_type = 'Lock' AND a.wait_event = 'advisory'`,
        );
        return rows.rowCount ? rows.rows[0].pid : undefined;
      });
      const mid = await tenantBySlug(slug);
      expect(mid.status).toBe('provisioning');

      await child.kill('SIGKILL');
      // The caller never got an answer: the connection died with the process.
      expect(String(((await request) as Error).message)).toMatch(/fetch failed|terminated|socket/i);

      await db.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [SCHEMA_LOCK]);
      released = true;
      await waitFor('the dead process backend to go', async () => (await db.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [waiting])).rowCount === 0);

      // Nothing half-made: the registry row says provisioning, the schema never committed.
      expect((await tenantBySlug(slug)).status).toBe('provisioning');
      expect(await schemaExists(mid.schema_name)).toBe(false);
      expect(await roleExists(mid.schema_name)).toBe(false);
    } finally {
      if (!released) await db.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [SCHEMA_LOCK]);
    }

    child = await startChildPlatform({ PROVISIONING_STALE_AFTER_SECONDS: '0' });
    const done = await waitFor('recovery to complete the tenant', async () => {
      const row = await tenantBySlug(slug);
      return row?.status === 'active' ? row : undefined;
    });
    expect(await schemaExists(done.schema_name)).toBe(true);
    expect(await roleExists(done.schema_name)).toBe(true);
    const admins = await db.query(`SELECT email, status FROM "${done.schema_name}".users`);
    expect(admins.rows).toEqual([{ email: 'ada@crash.example', status: 'active' }]);
    const events = await db.query(`SELECT type, event FROM platform.outbox WHERE tenant_id = $1 ORDER BY position`, [done.id]);
    expect(events.rows.map((r) => r.type)).toEqual(['tenant.onboarded']);
    expect(events.rows[0].event.data).toMatchObject({ slug, recovered: true, domains: [`${slug}.example`] });
    expect(events.rows[0].event.actor).toBe('system:recovery');

    const api = await fetch(`${child.url}/v1/admin/tenants/${slug}`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(await api.json()).toMatchObject({ slug, status: 'active', db_version: tenantMigrations.migrations.length });
    await child.kill();
  }, 120_000);

  it('removes a tenant whose provisioning cannot be completed, and reports tenant.provisioning_failed', async () => {
    const slug = uniqueSlug('broken');
    const id = uuidv7();
    const schema = `t_${id.replace(/-/g, '')}`;
    // What a process that died with a corrupted pending admin would leave: a provisioning row and nothing else.
    await db.query(
      `INSERT INTO platform.tenants (id, slug, name, schema_name, status, pending_admin, updated_at)
       VALUES ($1, $2, 'Broken', $3, 'provisioning', NULL, now() - interval '1 hour')`,
      [id, slug, schema],
    );
    child = await startChildPlatform({ PROVISIONING_STALE_AFTER_SECONDS: '0' });
    await waitFor('recovery to remove the tenant', async () => !(await tenantBySlug(slug)));
    expect(await schemaExists(schema)).toBe(false);
    const events = await db.query(`SELECT type, event FROM platform.outbox WHERE tenant_id = $1`, [id]);
    expect(events.rows.map((r) => r.type)).toEqual(['tenant.provisioning_failed']);
    expect(events.rows[0].event.data).toMatchObject({ slug, tenant_id: id, reason: expect.stringContaining('recovery failed') });
    // The slug was never a tenant, so it can be onboarded again.
    const again = await fetch(`${child.url}/v1/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug, name: 'Fixed', admin: { email: 'a@fixed.example', password: 'a long enough password' } }),
    });
    expect(again.status).toBe(201);
    await child.kill();
  }, 120_000);
});
