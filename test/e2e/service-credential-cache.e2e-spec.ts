import Redis from 'ioredis';
import { ServiceCredentialCache } from '@credence/identity';
import { TenantTransactionRunner } from '@credence/tenancy';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { onboard, Tenant } from './identity-authz-fixture';

interface Credential {
  id: string;
  client_id: string;
  client_secret: string;
}

/**
 * Service credentials are authenticated from memory while the tenant's credentials version in Redis
 * is unchanged. Two app instances (two caches, one database and Redis): a revocation made through
 * one is refused by the other on its very next request, and a hit costs no SQL.
 */
describe('service credential cache across processes', () => {
  let a: TestApp;
  let b: TestApp;
  let redis: Redis;
  let acme: Tenant;
  let ip = 0;

  const basic = (c: Credential) => `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;
  const introspect = async (t: TestApp, c: Credential, token: string) =>
    t.call('POST', `/v1/t/${acme.slug}/auth/introspect`, { token }, { auth: false, headers: { authorization: basic(c), 'x-forwarded-for': `198.51.100.${++ip}` } });
  const create = async (name: string): Promise<Credential> => (await a.call('POST', `/v1/t/${acme.slug}/service-credentials`, { name }, { auth: acme.admin })).body;
  /** How many tenant transactions `t` opens while `work` runs: a credential served from memory opens none. */
  const transactions = async (t: TestApp, work: () => Promise<unknown>) => {
    const spy = jest.spyOn(t.app.get(TenantTransactionRunner), 'inTenant');
    try {
      await work();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  };

  beforeAll(async () => {
    a = await startTestApp([AuthAppModule], { TRUSTED_PROXIES: '127.0.0.1' });
    b = await startTestApp([AuthAppModule], { TRUSTED_PROXIES: '127.0.0.1' });
    redis = new Redis(a.config.REDIS_URL);
    acme = await onboard(a, 'csc-cache');
  });
  afterAll(async () => {
    redis.disconnect();
    await a.close();
    await b.close();
  });

  it('serves a credential from memory, and refuses it everywhere as soon as a revocation through another instance answers', async () => {
    const kept = await create('kept');
    const retired = await create('retired');
    for (let i = 0; i < 3; i++) for (const c of [kept, retired]) expect((await introspect(b, c, acme.admin)).body.active).toBe(true);
    expect(await transactions(b, () => introspect(b, retired, acme.admin))).toBe(0);

    expect((await a.call('DELETE', `/v1/t/${acme.slug}/service-credentials/${retired.id}`, undefined, { auth: acme.admin })).status).toBe(200);
    for (const t of [b, a]) {
      const res = await introspect(t, retired, acme.admin);
      expect([res.status, res.body.error.code]).toEqual([401, 'auth.invalid_client']);
    }
    // The other credential of the tenant is reloaded once, then served from memory again.
    expect((await introspect(b, kept, acme.admin)).body.active).toBe(true);
    expect(await transactions(b, () => introspect(b, kept, acme.admin))).toBe(0);
  });

  it('a wrong secret is refused from memory too, and never replaces what is cached', async () => {
    const c = await create('guessed');
    for (let i = 0; i < 3; i++) await introspect(b, c, acme.admin);
    let wrong: Awaited<ReturnType<typeof introspect>> | undefined;
    expect(await transactions(b, async () => (wrong = await introspect(b, { ...c, client_secret: `${c.client_secret.slice(0, -1)}x` }, acme.admin)))).toBe(0);
    expect([wrong?.status, wrong?.body.error.code]).toEqual([401, 'auth.invalid_client']);
    expect((await introspect(b, c, acme.admin)).body.active).toBe(true);
  });

  it('trusts nothing in memory when Redis has lost the version (no old version can come back)', async () => {
    const c = await create('flushed');
    for (let i = 0; i < 3; i++) await introspect(b, c, acme.admin);
    expect(await transactions(b, () => introspect(b, c, acme.admin))).toBe(0);
    await redis.del(b.app.get(ServiceCredentialCache).versionKey(acme.id));
    expect(await transactions(b, () => introspect(b, c, acme.admin))).toBe(1);
    // A revocation made while the version was missing is seen, too.
    await a.call('DELETE', `/v1/t/${acme.slug}/service-credentials/${c.id}`, undefined, { auth: acme.admin });
    expect((await introspect(b, c, acme.admin)).status).toBe(401);
  });

  it('a repeated revocation announces again: it completes one whose announcement was lost', async () => {
    const c = await create('half-revoked');
    for (let i = 0; i < 3; i++) await introspect(b, c, acme.admin);
    // Saved but never announced (Redis failed after the commit): memory still has it, for at most a minute.
    await a.dataSource.query(`UPDATE "${acme.schema}".service_credentials SET revoked_at = now() WHERE id = $1`, [c.id]);
    expect((await introspect(b, c, acme.admin)).body.active).toBe(true);
    const again = await a.call('DELETE', `/v1/t/${acme.slug}/service-credentials/${c.id}`, undefined, { auth: acme.admin });
    expect([again.status, again.body.revoked_at]).toEqual([200, expect.any(String)]);
    expect((await introspect(b, c, acme.admin)).status).toBe(401);
  });

  it('stops serving a suspended tenant’s credentials, on the instance that suspended at once and on the other within the registry’s 2 s', async () => {
    const other = await onboard(a, 'csc-cache-sus');
    const c: Credential = (await a.call('POST', `/v1/t/${other.slug}/service-credentials`, { name: 's' }, { auth: other.admin })).body;
    const call = (t: TestApp) =>
      t.call(
        'POST',
        `/v1/t/${other.slug}/auth/introspect`,
        { token: other.admin },
        { auth: false, headers: { authorization: basic(c), 'x-forwarded-for': `198.51.100.${++ip}` } },
      );
    for (let i = 0; i < 3; i++) for (const t of [a, b]) expect((await call(t)).body.active).toBe(true);

    expect((await a.call('POST', `/v1/admin/tenants/${other.slug}/suspend`)).status).toBe(200);
    expect((await call(a)).body.error.code).toBe('tenant.suspended');
    const started = Date.now();
    while ((await call(b)).status !== 403) {
      expect(Date.now() - started).toBeLessThan(3500);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await a.call('POST', `/v1/admin/tenants/${other.slug}/resume`)).status).toBe(200);
    expect((await call(a)).body.active).toBe(true);
  });
});
