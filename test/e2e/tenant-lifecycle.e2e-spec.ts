import { createHash } from 'node:crypto';
import { tenantMigrations } from '@migrations/tenant';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

/** Onboarding through offboarding, as a platform admin sees it over HTTP and as it lands in the database. */
describe('tenant lifecycle (platform admin API)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { TENANT_PURGE_GRACE_SECONDS: '1' });
  });
  afterAll(() => t.close());

  const onboard = (slug: string, extra: Record<string, unknown> = {}) =>
    t.call('POST', '/v1/admin/tenants', { slug, name: `Tenant ${slug}`, admin: { email: `admin@${slug}.example`, password: 'a long enough password' }, ...extra });

  describe('onboarding', () => {
    let slug: string;
    let body: any;
    beforeAll(async () => {
      slug = uniqueSlug('onb');
      const res = await onboard(slug, { domains: [`${slug}.example`, `Mail.${slug}.example`], settings: { access_token_ttl_seconds: 600 } });
      expect(res.status).toBe(201);
      body = res.body;
    });

    it('answers with the active tenant and its first admin', () => {
      expect(body).toMatchObject({
        slug,
        status: 'active',
        db_version: tenantMigrations.migrations.length,
        settings: { access_token_ttl_seconds: 600 },
        domains: [`${slug}.example`, `mail.${slug}.example`].sort(),
        admin: { email: `admin@${slug}.example`, status: 'active' },
      });
      expect(body.admin.invite_token).toBeUndefined();
      expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('creates the schema named from the id, migrated and seeded', async () => {
      const schema = `t_${body.id.replace(/-/g, '')}`;
      const [reg] = await t.dataSource.query('SELECT schema_name, db_version, pending_admin FROM platform.tenants WHERE id = $1', [body.id]);
      expect(reg).toEqual({ schema_name: schema, db_version: tenantMigrations.migrations.length, pending_admin: null });
      const roles = await t.dataSource.query(`SELECT name, rank FROM "${schema}".roles ORDER BY rank`);
      expect(roles.map((r: { name: string }) => r.name)).toEqual(['guest', 'employee', 'manager', 'director', 'tenant_admin']);
      const [admin] = await t.dataSource.query(
        `SELECT u.email, u.status, u.password_hash, r.name AS role FROM "${schema}".users u
           JOIN "${schema}".user_roles ur ON ur.user_id = u.id JOIN "${schema}".roles r ON r.id = ur.role_id`,
      );
      expect(admin).toMatchObject({ email: `admin@${slug}.example`, status: 'active', role: 'tenant_admin' });
      expect(admin.password_hash).toMatch(/^\$argon2id\$/);
      // Its role, made in the same transaction: USAGE on its own schema only.
      const [role] = await t.dataSource.query(
        `SELECT r.rolname, has_schema_privilege(r.oid, $1, 'USAGE') AS own, has_schema_privilege(r.oid, 'platform', 'CREATE') AS platform_create, r.rolcanlogin
           FROM pg_roles r WHERE r.rolname = $1 || '_' || left(md5(current_database()), 8)`,
        [schema],
      );
      expect(role).toMatchObject({ own: true, platform_create: false, rolcanlogin: false });
    });

    it('keeps the signing key private part encrypted at rest', async () => {
      const schema = `t_${body.id.replace(/-/g, '')}`;
      const [key] = await t.dataSource.query(`SELECT kid, alg, public_jwk, private_key_enc FROM "${schema}".signing_keys`);
      expect(key.alg).toBe('ES256');
      expect(key.public_jwk).not.toHaveProperty('d');
      expect(key.private_key_enc.includes(Buffer.from('PRIVATE KEY'))).toBe(false);
      expect(key.private_key_enc.length).toBeGreaterThan(100);
      const jwks = await t.call('GET', `/v1/t/${slug}/.well-known/jwks.json`, undefined, { auth: false });
      expect(jwks.body.keys).toEqual([expect.objectContaining({ kid: key.kid, kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })]);
    });

    it('writes tenant.onboarded to the outbox as a CloudEvent', async () => {
      const rows = await t.dataSource.query(`SELECT type, aggregate, tenant_id, event FROM platform.outbox WHERE tenant_id = $1 ORDER BY position`, [body.id]);
      expect(rows.map((r: { type: string }) => r.type)).toEqual(['tenant.onboarded']);
      expect(rows[0].event).toMatchObject({
        specversion: '1.0',
        type: 'tenant.onboarded',
        source: 'credence/test',
        subject: `tenant/${slug}`,
        tenantid: body.id,
        actor: expect.stringMatching(/^platform-admin:/),
        data: { tenant_id: body.id, slug, admin_user_id: body.admin.user_id, recovered: false },
      });
      expect(rows[0].event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    });

    it('refuses the same slug again with 409 tenant.exists', async () => {
      const res = await onboard(slug);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('tenant.exists');
    });

    it('refuses a domain claimed by another tenant with 409 tenant.domain_taken, and keeps nothing', async () => {
      const other = uniqueSlug('dup');
      const res = await onboard(other, { domains: [`${slug}.example`] });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('tenant.domain_taken');
      const rows = await t.dataSource.query('SELECT 1 FROM platform.tenants WHERE slug = $1', [other]);
      expect(rows).toHaveLength(0);
    });
  });

  it('returns a one-time invite token when no password is given, storing only its hash', async () => {
    const slug = uniqueSlug('inv');
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: 'Invited', admin: { email: 'first@inv.example' } });
    expect(res.status).toBe(201);
    expect(res.body.admin.status).toBe('invited');
    const token: string = res.body.admin.invite_token;
    expect(token).toMatch(/^inv_[A-Za-z0-9_-]{43}$/);
    const schema = `t_${res.body.id.replace(/-/g, '')}`;
    const [invite] = await t.dataSource.query(`SELECT token_hash, expires_at > now() AS valid FROM "${schema}".user_invites`);
    expect(invite.token_hash).toEqual(createHash('sha256').update(token).digest());
    expect(invite.valid).toBe(true);
    const again = await t.call('GET', `/v1/admin/tenants/${slug}`);
    expect(JSON.stringify(again.body)).not.toContain(token);
  });

  it('lists tenants with cursor pagination and a status filter', async () => {
    const slugs = [uniqueSlug('page'), uniqueSlug('page'), uniqueSlug('page')];
    for (const s of slugs) expect((await onboard(s)).status).toBe(201);
    await t.call('POST', `/v1/admin/tenants/${slugs[1]}/suspend`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await t.call('GET', `/v1/admin/tenants?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((x: { slug: string }) => x.slug));
      cursor = res.body.meta.next_cursor;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining(slugs));
    expect(new Set(seen).size).toBe(seen.length);
    const suspended = await t.call('GET', '/v1/admin/tenants?status=suspended&limit=100');
    expect(suspended.body.data.map((x: { slug: string }) => x.slug)).toContain(slugs[1]);
    expect(suspended.body.data.every((x: { status: string }) => x.status === 'suspended')).toBe(true);
  });

  it('updates name, settings (merged) and domains (replaced), with a tenant.updated event', async () => {
    const slug = uniqueSlug('upd');
    const created = await onboard(slug, { domains: ['old.upd.example'], settings: { password_min_length: 14 } });
    const res = await t.call('PATCH', `/v1/admin/tenants/${slug}`, { name: 'Renamed', domains: ['new.upd.example'], settings: { lockout_seconds: 120 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Renamed', domains: ['new.upd.example'], settings: { password_min_length: 14, lockout_seconds: 120 } });
    const [ev] = await t.dataSource.query(`SELECT event FROM platform.outbox WHERE tenant_id = $1 AND type = 'tenant.updated'`, [created.body.id]);
    expect(ev.event.data.changed).toEqual(['name', 'settings.lockout_seconds', 'domains']);
    const noop = await t.call('PATCH', `/v1/admin/tenants/${slug}`, { name: 'Renamed' });
    expect(noop.status).toBe(200);
    const events = await t.dataSource.query(`SELECT 1 FROM platform.outbox WHERE tenant_id = $1 AND type = 'tenant.updated'`, [created.body.id]);
    expect(events).toHaveLength(1);
  });

  it('refuses settings that delete sessions before anonymising them, on onboarding and on update, changing nothing', async () => {
    const inconsistent = { session_anonymize_after_days: 300, session_delete_after_days: 10 };
    const slug = uniqueSlug('xkey');
    const refusedOnboarding = await onboard(slug, { settings: inconsistent });
    expect(refusedOnboarding.status).toBe(400);
    expect(refusedOnboarding.body.error).toMatchObject({ code: 'validation.failed', details: [{ field: 'settings.session_delete_after_days' }] });
    expect(await t.dataSource.query('SELECT 1 FROM platform.tenants WHERE slug = $1', [slug])).toHaveLength(0);

    const created = await onboard(slug, { settings: { session_anonymize_after_days: 30 } });
    expect(created.status).toBe(201);
    const refused = await t.call('PATCH', `/v1/admin/tenants/${slug}`, { name: 'Not renamed', settings: inconsistent });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'validation.failed', details: [{ field: 'settings.session_delete_after_days' }] });
    // Against the stored anonymisation age (30) as well; the whole request is refused, name included.
    expect((await t.call('PATCH', `/v1/admin/tenants/${slug}`, { settings: { session_delete_after_days: 29 } })).status).toBe(400);
    const after = await t.call('GET', `/v1/admin/tenants/${slug}`);
    expect(after.body).toMatchObject({ name: `Tenant ${slug}`, settings: { session_anonymize_after_days: 30 } });
    expect(after.body.settings).not.toHaveProperty('session_delete_after_days');
    expect(await t.dataSource.query(`SELECT 1 FROM platform.outbox WHERE tenant_id = $1 AND type = 'tenant.updated'`, [created.body.id])).toHaveLength(0);
    expect((await t.call('PATCH', `/v1/admin/tenants/${slug}`, { settings: { session_delete_after_days: 30 } })).status).toBe(200);
  });

  it('suspends (routes answer 403 tenant.suspended) and resumes', async () => {
    const slug = uniqueSlug('sus');
    await onboard(slug);
    const s = await t.call('POST', `/v1/admin/tenants/${slug}/suspend`);
    expect(s.status).toBe(200);
    expect(s.body.status).toBe('suspended');
    const blocked = await t.call('GET', `/v1/t/${slug}/.well-known/jwks.json`, undefined, { auth: false });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('tenant.suspended');
    const twice = await t.call('POST', `/v1/admin/tenants/${slug}/suspend`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('tenant.invalid_state');
    const r = await t.call('POST', `/v1/admin/tenants/${slug}/resume`);
    expect(r.body.status).toBe('active');
    expect((await t.call('GET', `/v1/t/${slug}/.well-known/jwks.json`, undefined, { auth: false })).status).toBe(200);
  });

  it('offboards: routes answer 404 at once, a job drops the schema after the grace period, the slug stays reserved', async () => {
    const slug = uniqueSlug('off');
    const created = await onboard(slug, { domains: [`${slug}.example`] });
    const schema = `t_${created.body.id.replace(/-/g, '')}`;
    const del = await t.call('DELETE', `/v1/admin/tenants/${slug}`);
    expect(del.status).toBe(202);
    expect(del.body.status).toBe('offboarding');
    expect(new Date(del.body.purge_after).getTime()).toBeGreaterThan(Date.now() - 1000);
    const gone = await t.call('GET', `/v1/t/${slug}/.well-known/jwks.json`, undefined, { auth: false });
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('tenant.not_found');

    const deadline = Date.now() + 20_000;
    let status = '';
    while (Date.now() < deadline && status !== 'deleted') {
      await new Promise((r) => setTimeout(r, 200));
      status = (await t.call('GET', `/v1/admin/tenants/${slug}`)).body.status;
    }
    expect(status).toBe('deleted');
    const schemas = await t.dataSource.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    expect(schemas).toHaveLength(0);
    const roles = await t.dataSource.query(`SELECT 1 FROM pg_roles WHERE rolname = $1 || '_' || left(md5(current_database()), 8)`, [schema]);
    expect(roles).toHaveLength(0);
    const domains = await t.dataSource.query('SELECT 1 FROM platform.tenant_domains WHERE tenant_id = $1', [created.body.id]);
    expect(domains).toHaveLength(0);
    const types = await t.dataSource.query('SELECT type FROM platform.outbox WHERE tenant_id = $1 ORDER BY position', [created.body.id]);
    expect(types.map((x: { type: string }) => x.type)).toEqual(['tenant.onboarded', 'tenant.offboarding_started', 'tenant.deleted']);
    const reuse = await onboard(slug);
    expect(reuse.status).toBe(409);
    expect(reuse.body.error.code).toBe('tenant.exists');
    const resume = await t.call('POST', `/v1/admin/tenants/${slug}/resume`);
    expect(resume.status).toBe(409);
  });

  it('resuming during the grace period cancels the offboarding', async () => {
    const t2 = await startTestApp([AuthAppModule], { TENANT_PURGE_GRACE_SECONDS: '3600' });
    try {
      const slug = uniqueSlug('cancel');
      await t2.call('POST', '/v1/admin/tenants', { slug, name: 'Cancel', admin: { email: 'a@cancel.example', password: 'a long enough password' } });
      expect((await t2.call('DELETE', `/v1/admin/tenants/${slug}`)).body.status).toBe('offboarding');
      const resumed = await t2.call('POST', `/v1/admin/tenants/${slug}/resume`);
      expect(resumed.body).toMatchObject({ status: 'active', purge_after: null });
      expect((await t2.call('GET', `/v1/t/${slug}/.well-known/jwks.json`, undefined, { auth: false })).status).toBe(200);
    } finally {
      await t2.close();
    }
  });
});
