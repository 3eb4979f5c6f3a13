import { Client } from 'pg';
import { startTestApp, TestApp } from '@credence/testing';
import { AuditAppModule } from '../../apps/audit/src/audit-app.module';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { createEventsWorld, EventsWorld, useEventsEnv } from '../support/events/events-world';
import { ADMIN_PASSWORD, login, onboard, Tenant } from './retention-fixture';

const DEFAULT_RETENTION = { session_anonymize_after_days: 180, session_delete_after_days: 365, audit_retention_days: 365, event_retention_days: 30 };
const DEFAULT_SECURITY = { detect_failed_logins_per_account: 5, detect_failed_logins_per_ip: 20, detect_failed_login_window_seconds: 600, detect_travel_window_seconds: 3600 };

/** A tenant admin's retention and detection settings: effective values, strict validation, permission. */
describe('retention and security settings', () => {
  let world: EventsWorld;
  let t: TestApp;
  let db: Client;
  let tenant: Tenant;
  let admin: string;

  beforeAll(async () => {
    world = await createEventsWorld('settings');
    useEventsEnv({});
    t = await startTestApp([AuthAppModule, AuditAppModule], { DATABASE_URL: world.databaseUrl, REDIS_PREFIX: world.prefix, RETENTION_ENABLED: 'false' });
    db = new Client({ connectionString: world.databaseUrl });
    await db.connect();
    tenant = await onboard(t, db, 'settings');
    admin = await login(t, tenant.slug, `admin@${tenant.slug}.example`, ADMIN_PASSWORD);
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await t?.close();
    await world?.cleanup();
  });

  const call = (method: string, group: string, body?: unknown, token = admin) => t.call(method, `/v1/t/${tenant.slug}/settings/${group}`, body, { auth: token });
  const stored = async () => (await db.query('SELECT settings FROM platform.tenants WHERE id = $1', [tenant.id])).rows[0].settings;
  const updates = async () =>
    (await db.query(`SELECT event->'data'->'changed' AS changed FROM platform.outbox WHERE type = 'tenant.updated' AND tenant_id = $1 ORDER BY position`, [tenant.id])).rows.map(
      (r) => r.changed,
    );

  it('shows platform defaults until the tenant sets its own values, and changes only what is sent', async () => {
    expect((await call('GET', 'retention')).body).toEqual({ values: DEFAULT_RETENTION, defaults: Object.keys(DEFAULT_RETENTION) });
    expect((await call('GET', 'security')).body).toEqual({ values: DEFAULT_SECURITY, defaults: Object.keys(DEFAULT_SECURITY) });

    const patched = await call('PATCH', 'retention', { session_anonymize_after_days: 90, audit_retention_days: 400 });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({
      values: { ...DEFAULT_RETENTION, session_anonymize_after_days: 90, audit_retention_days: 400 },
      defaults: ['session_delete_after_days', 'event_retention_days'],
    });
    expect(await stored()).toMatchObject({ session_anonymize_after_days: 90, audit_retention_days: 400 });
    expect((await call('GET', 'retention')).body).toEqual(patched.body);
    // The same change as the platform admin API makes: tenant.updated naming the settings.
    expect(await updates()).toEqual([['settings.session_anonymize_after_days', 'settings.audit_retention_days']]);

    // The same values again change nothing and record nothing; null goes back to the default.
    await call('PATCH', 'retention', { session_anonymize_after_days: 90 });
    expect(await updates()).toHaveLength(1);
    const reset = await call('PATCH', 'retention', { audit_retention_days: null });
    expect(reset.body.defaults).toContain('audit_retention_days');
    expect(reset.body.values.audit_retention_days).toBe(365);
    expect(await stored()).not.toHaveProperty('audit_retention_days');
    expect((await updates())[1]).toEqual(['settings.audit_retention_days']);

    const security = await call('PATCH', 'security', { detect_failed_logins_per_account: 8, detect_travel_window_seconds: 7200 });
    expect(security.body.values).toEqual({ ...DEFAULT_SECURITY, detect_failed_logins_per_account: 8, detect_travel_window_seconds: 7200 });
    expect(security.body.defaults).toEqual(['detect_failed_logins_per_ip', 'detect_failed_login_window_seconds']);
    // The platform admin sees the same settings.
    expect((await t.call('GET', `/v1/admin/tenants/${tenant.slug}`)).body.settings).toMatchObject({ session_anonymize_after_days: 90, detect_failed_logins_per_account: 8 });
  });

  it('refuses unknown keys, values out of range and a deletion age below the anonymisation age, changing nothing', async () => {
    const before = await stored();
    const cases: [string, unknown, string][] = [
      ['retention', { session_anonymize_after_days: 100, surprise: 1 }, 'surprise'],
      ['retention', { detect_failed_logins_per_ip: 50 }, 'detect_failed_logins_per_ip'], // a security key on the retention route
      ['retention', { audit_retention_days: 364 }, 'audit_retention_days'],
      ['retention', { event_retention_days: 1.5 }, 'event_retention_days'],
      ['retention', { session_anonymize_after_days: '30' }, 'session_anonymize_after_days'],
      ['retention', { session_delete_after_days: 60 }, 'session_delete_after_days'], // below the effective 90
      ['retention', { session_anonymize_after_days: 400, session_delete_after_days: 399 }, 'session_delete_after_days'],
      ['security', { detect_failed_logins_per_account: 1 }, 'detect_failed_logins_per_account'],
      ['security', { detect_travel_window_seconds: 86_401 }, 'detect_travel_window_seconds'],
    ];
    for (const [group, body, field] of cases) {
      const res = await call('PATCH', group, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation.failed');
      expect(res.body.error.details.map((d: { field?: string }) => d.field)).toContain(field);
    }
    expect((await call('PATCH', 'retention', '[1]')).status).toBe(400);
    expect(await stored()).toEqual(before);
    // Both ages raised together is consistent.
    expect((await call('PATCH', 'retention', { session_anonymize_after_days: 400, session_delete_after_days: 400 })).status).toBe(200);
  });

  it('applies the same limits and cross-key rule through the platform admin route and the tenant admin route', async () => {
    const adminPatch = (settings: Record<string, unknown>) => t.call('PATCH', `/v1/admin/tenants/${tenant.slug}`, { settings });
    const refused = (res: { status: number; body: { error: { code: string; details: { field?: string }[] } } }, field: string) => {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation.failed');
      expect(res.body.error.details.map((d) => d.field)).toEqual([field]);
    };
    const before = await stored();
    const events = (await updates()).length;

    // The combination the platform admin route used to accept (200), after which the tenant admin's route refused unrelated changes.
    refused(await adminPatch({ session_delete_after_days: 10, session_anonymize_after_days: 300 }), 'settings.session_delete_after_days');
    refused(await call('PATCH', 'retention', { session_delete_after_days: 10, session_anonymize_after_days: 300 }), 'session_delete_after_days');
    // Checked against the stored values too: one key alone can break the rule.
    const anonymise = (before.session_anonymize_after_days as number) ?? 180;
    refused(await adminPatch({ session_delete_after_days: anonymise - 1 }), 'settings.session_delete_after_days');
    refused(await call('PATCH', 'retention', { session_delete_after_days: anonymise - 1 }), 'session_delete_after_days');
    refused(await adminPatch({ session_anonymize_after_days: 3650, session_delete_after_days: 3649 }), 'settings.session_delete_after_days');
    // One set of limits: what one route refuses, the other refuses too.
    refused(await adminPatch({ audit_retention_days: 364 }), 'settings.audit_retention_days');
    refused(await call('PATCH', 'retention', { audit_retention_days: 364 }), 'audit_retention_days');
    expect(await stored()).toEqual(before);
    expect(await updates()).toHaveLength(events);

    // A consistent change passes either way, and the tenant admin can still make an unrelated one afterwards.
    const raised = await adminPatch({ session_anonymize_after_days: 300, session_delete_after_days: 300 });
    expect(raised.status).toBe(200);
    expect(raised.body.settings).toMatchObject({ session_anonymize_after_days: 300, session_delete_after_days: 300 });
    const unrelated = await call('PATCH', 'retention', { event_retention_days: 60 });
    expect(unrelated.status).toBe(200);
    expect(unrelated.body.values).toMatchObject({ session_anonymize_after_days: 300, session_delete_after_days: 300, event_retention_days: 60 });
    // Going back to a default is checked as well: the default deletion age (365) is below 400.
    expect((await call('PATCH', 'retention', { session_anonymize_after_days: 400 })).status).toBe(400);
    expect((await call('PATCH', 'retention', { session_anonymize_after_days: 400, session_delete_after_days: null })).status).toBe(400);
    expect(await stored()).toMatchObject({ session_anonymize_after_days: 300, session_delete_after_days: 300, event_retention_days: 60 });
  });

  it('lets both routes change other keys of a policy stored before the rule held', async () => {
    // As left by the old platform admin route: deletion before anonymisation.
    await db.query(`UPDATE platform.tenants SET settings = settings || '{"session_anonymize_after_days": 300, "session_delete_after_days": 10}' WHERE id = $1`, [tenant.id]);
    expect((await call('PATCH', 'retention', { audit_retention_days: 500 })).status).toBe(200);
    expect((await t.call('PATCH', `/v1/admin/tenants/${tenant.slug}`, { settings: { lockout_seconds: 600 } })).status).toBe(200);
    // A change that names either key must leave the policy consistent.
    expect((await call('PATCH', 'retention', { session_delete_after_days: 20 })).status).toBe(400);
    expect((await call('PATCH', 'retention', { session_delete_after_days: 300 })).status).toBe(200);
    expect(await stored()).toMatchObject({ session_anonymize_after_days: 300, session_delete_after_days: 300, audit_retention_days: 500, lockout_seconds: 600 });
  });

  it('is for holders of settings.manage:any only', async () => {
    const created = await t.call('POST', `/v1/t/${tenant.slug}/users`, { email: 'emp@settings.example', password: 'an employee password' }, { auth: admin });
    await t.call('POST', `/v1/t/${tenant.slug}/users/${created.body.id}/roles/employee`, undefined, { auth: admin });
    const employee = await login(t, tenant.slug, 'emp@settings.example', 'an employee password');
    const before = await stored();
    for (const [method, group, body] of [
      ['GET', 'retention'],
      ['PATCH', 'retention', { session_anonymize_after_days: 5 }],
      ['GET', 'security'],
      ['PATCH', 'security', {}],
    ] as const) {
      const res = await call(method, group, body, employee);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('authz.access.denied');
    }
    expect(await stored()).toEqual(before);
    expect((await t.call('GET', `/v1/t/${tenant.slug}/settings/retention`, undefined, { auth: false })).status).toBe(401);
  });
});
