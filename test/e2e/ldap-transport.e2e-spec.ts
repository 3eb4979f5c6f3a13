import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { FederationAppModule } from '../../apps/federation/src/federation-app.module';
import { freePort, PEOPLE, SERVICE_DN, SERVICE_PASSWORD, Slapd, startSlapd } from '../support/slapd';
import { eventsOf, login, PASSWORD, Tenant } from './identity-authz-fixture';

const TIMEOUT_MS = 1000;
/** What a 503 may take beyond timeout_ms on a shared machine: Postgres, Redis and the event. */
const SLACK_MS = 1500;

/** A TCP server that accepts connections and never says a word (a hung directory or a black-holing proxy). */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * The LDAP transport against a real slapd and against directories that fail: LDAPS and StartTLS with
 * the connection's CA, a wrong CA and a wrong host name refused, and a directory that is down, silent
 * or stalled answering 503 federation.ldap_unavailable within timeout_ms instead of hanging.
 */
describe('LDAP transport: TLS and unavailable directories', () => {
  let t: TestApp;
  let slapd: Slapd;
  let silent: Awaited<ReturnType<typeof silentServer>>;
  let tenant: Tenant;

  const create = async (ldap: Record<string, unknown>): Promise<string> => {
    const res = await t.call(
      'POST',
      `/v1/t/${tenant.slug}/connections`,
      {
        type: 'ldap',
        name: `Directory ${Math.random().toString(36).slice(2, 7)}`,
        jit: { enabled: true, default_roles: [] },
        ldap: { bind_dn: SERVICE_DN, bind_password: SERVICE_PASSWORD, user_search_base: PEOPLE, user_search_filter: '(uid={{username}})', timeout_ms: TIMEOUT_MS, ...ldap },
      },
      { auth: tenant.admin },
    );
    if (res.status !== 201) throw new Error(`connection: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  };
  // One directory user per connection: a second connection may not take over the account the first created (account_exists).
  let users = 0;
  const newUser = async () => {
    users += 1;
    await slapd.addUser({ uid: `tess${users}`, password: 'tess-pw', mail: `tess${users}@${tenant.slug}.example` });
    return `tess${users}`;
  };
  const signIn = async (connection: string, username = 'tess0') => {
    const started = Date.now();
    const res = await t.call('POST', `/v1/t/${tenant.slug}/auth/login`, { connection, username, password: 'tess-pw' }, { auth: false });
    return { status: res.status, code: res.body.error?.code as string | undefined, ms: Date.now() - started };
  };
  const testConnection = async (id: string) => (await t.call('POST', `/v1/t/${tenant.slug}/connections/${id}/test`, undefined, { auth: tenant.admin })).body;

  beforeAll(async () => {
    slapd = await startSlapd();
    silent = await silentServer();
    t = await startTestApp([AuthAppModule, FederationAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '100000' });
    const slug = uniqueSlug('ldaptls');
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: `admin@${slug}.example`, password: PASSWORD } });
    expect(res.status).toBe(201);
    tenant = { slug, id: res.body.id, schema: `t_${res.body.id.replace(/-/g, '')}`, adminId: res.body.admin.user_id, admin: await login(t, slug, `admin@${slug}.example`) };
    await slapd.addUser({ uid: 'tess0', password: 'tess-pw', mail: `tess0@${slug}.example` });
  });
  afterAll(async () => {
    await t?.close();
    await silent?.close();
    await slapd?.stop();
  });

  it('signs in over LDAPS and over StartTLS when the connection carries the CA, and over plain ldap:// outside production', async () => {
    for (const ldap of [{ url: slapd.ldapsUrl, ca_certificate: slapd.caPem }, { url: slapd.ldapUrl, start_tls: true, ca_certificate: slapd.caPem }, { url: slapd.ldapUrl }]) {
      const id = await create(ldap);
      expect({ ldap, ...(await signIn(id, await newUser())), ms: undefined }).toEqual({ ldap, status: 200, code: undefined, ms: undefined });
      expect((await testConnection(id)).ok).toBe(true);
    }
  });

  it('refuses a directory whose certificate the connection cannot verify: wrong CA, no CA, or a host name the certificate does not name', async () => {
    const localhost = (url: string) => url.replace('127.0.0.1', 'localhost');
    const cases = [
      { url: slapd.ldapsUrl, ca_certificate: slapd.wrongCaPem },
      { url: slapd.ldapUrl, start_tls: true, ca_certificate: slapd.wrongCaPem },
      { url: slapd.ldapsUrl },
      { url: slapd.ldapUrl, start_tls: true },
      { url: localhost(slapd.ldapsUrl), ca_certificate: slapd.caPem },
      { url: localhost(slapd.ldapUrl), start_tls: true, ca_certificate: slapd.caPem },
    ];
    for (const ldap of cases) {
      const id = await create(ldap);
      const res = await signIn(id);
      expect({ ldap, status: res.status, code: res.code }).toEqual({ ldap, status: 503, code: 'federation.ldap_unavailable' });
      const check = await testConnection(id);
      expect(check.ok).toBe(false);
      expect(check.checks[0].detail).toMatch(/certificate|altnames|self[- ]signed|verify/i);
    }
  });

  it('answers 503 at once when the directory is down (port closed), and records ldap_unavailable', async () => {
    const id = await create({ url: `ldap://127.0.0.1:${await freePort()}` });
    const res = await signIn(id);
    expect(res).toMatchObject({ status: 503, code: 'federation.ldap_unavailable' });
    expect(res.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    const failed = (await eventsOf(t, tenant, 'federation.login.failed')).filter((e) => e.data.connection_id === id);
    expect(failed.map((e) => e.data.reason)).toEqual(['ldap_unavailable']);
    expect((await testConnection(id)).checks[0]).toMatchObject({ ok: false, detail: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('answers 503 within timeout_ms when the directory accepts connections and says nothing (plain, StartTLS, LDAPS)', async () => {
    for (const ldap of [
      { url: `ldap://127.0.0.1:${silent.port}` },
      { url: `ldap://127.0.0.1:${silent.port}`, start_tls: true, ca_certificate: slapd.caPem },
      { url: `ldaps://127.0.0.1:${silent.port}`, ca_certificate: slapd.caPem },
    ]) {
      const id = await create(ldap);
      const res = await signIn(id);
      expect({ ldap, status: res.status, code: res.code }).toEqual({ ldap, status: 503, code: 'federation.ldap_unavailable' });
      expect(res.ms).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);
      expect(res.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
  });

  it('drops pooled connections of a directory that stalls, and signs in again once it answers', async () => {
    const id = await create({ url: slapd.ldapUrl, start_tls: true, ca_certificate: slapd.caPem });
    const user = await newUser();
    expect((await signIn(id, user)).status).toBe(200); // warms the pool
    slapd.pause();
    try {
      const stalled = await signIn(id, user);
      expect(stalled).toMatchObject({ status: 503, code: 'federation.ldap_unavailable' });
      expect(stalled.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    } finally {
      slapd.resume();
    }
    expect((await signIn(id, user)).status).toBe(200);
  });
});
