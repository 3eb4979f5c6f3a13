import { randomBytes } from 'node:crypto';
import { KeyEncryption } from '@credence/crypto';
import { newSpCredential, secretsAssociatedData } from '@credence/federation';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { FederationAppModule } from '../../apps/federation/src/federation-app.module';
import { connectionLdapSettings, GROUPS, SERVICE_PASSWORD, Slapd, startSlapd, SUFFIX } from '../support/slapd';
import { eventsOf, login, PASSWORD, Tenant } from './identity-authz-fixture';

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

/**
 * LDAP sign-in through POST /auth/login against a real slapd (test/support/slapd.ts): search-then-bind
 * over StartTLS with the test's own CA, JIT and group → role rules, filter injection, the one answer
 * for unknown user, wrong password, disabled and locked accounts, lockout, and the connection test.
 */
describe('LDAP sign-in (POST /auth/login with connection)', () => {
  let t: TestApp;
  let slapd: Slapd;
  let acme: Tenant;
  let domain: string;
  let connectionId: string;
  let adaDn: string;
  let managersDn: string;

  const ldapLogin = (username: string, password: string, connection = connectionId, slug = acme.slug) =>
    t.call('POST', `/v1/t/${slug}/auth/login`, { connection, username, password }, { auth: false });
  const admin = (method: string, path: string, body?: unknown) => t.call(method, `/v1/t/${acme.slug}${path}`, body, { auth: acme.admin });

  const ldapSettings = (over: Record<string, unknown> = {}) => connectionLdapSettings(slapd, over);

  const createConnection = async (body: Record<string, unknown>): Promise<string> => {
    const res = await admin('POST', '/connections', { type: 'ldap', name: `Directory ${Math.random().toString(36).slice(2, 7)}`, ...body });
    if (res.status !== 201) throw new Error(`connection: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  };

  const userByEmail = async (email: string) => {
    const [row] = await t.dataSource.query(
      `SELECT u.id, u.display_name, u.status,
              coalesce((SELECT array_agg(r.name ORDER BY r.name) FROM "${acme.schema}".user_roles ur JOIN "${acme.schema}".roles r ON r.id = ur.role_id WHERE ur.user_id = u.id), '{}') AS roles
         FROM "${acme.schema}".users u WHERE lower(u.email) = $1`,
      [email],
    );
    return row;
  };
  /** The operations the directory started while `act` ran (reading them adds one bind and one search). */
  const directoryWorkOf = async (act: () => Promise<unknown>): Promise<Record<string, number>> => {
    const before = await slapd.operations();
    await act();
    const after = await slapd.operations();
    return Object.fromEntries(Object.entries(after).map(([op, n]) => [op, n - (before[op] ?? 0)]));
  };
  const userCount = async () => Number((await t.dataSource.query(`SELECT count(*) AS n FROM "${acme.schema}".users`))[0].n);

  beforeAll(async () => {
    slapd = await startSlapd();
    // The IP limit would otherwise stop this file's many sign-ins from one address.
    t = await startTestApp([AuthAppModule, FederationAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '100000' });
    const slug = uniqueSlug('ldap');
    domain = `${slug}.example`;
    const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, domains: [domain], admin: { email: `admin@${slug}.example`, password: PASSWORD } });
    expect(res.status).toBe(201);
    acme = { slug, id: res.body.id, schema: `t_${res.body.id.replace(/-/g, '')}`, adminId: res.body.admin.user_id, admin: await login(t, slug, `admin@${slug}.example`) };

    adaDn = await slapd.addUser({ uid: 'ada', password: 'ada-directory-pw', mail: `ada@${domain}`, givenName: 'Ada', sn: 'Lovelace' });
    await slapd.addUser({ uid: 'grace', password: 'grace-directory-pw', mail: `grace@${domain}` });
    managersDn = await slapd.addGroup('managers', [adaDn]);
    await slapd.addGroup('engineers', [adaDn]);
    connectionId = await createConnection({
      domains: [domain],
      jit: { enabled: true, default_roles: ['employee'] },
      group_role_mapping: [{ group: 'managers', role: 'manager' }],
      ldap: ldapSettings(),
    });
  });
  afterAll(async () => {
    await t?.close();
    await slapd?.stop();
  });

  it('signs a directory user in with the token response of a password sign-in, creating the user with default and group roles', async () => {
    const res = await ldapLogin('ada', 'ada-directory-pw');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), refresh_token: expect.any(String), session_id: expect.any(String) });
    expect(res.body.user).toEqual({ id: expect.any(String), email: `ada@${domain}`, username: null, display_name: 'Ada Lovelace' });
    expect(claims(res.body.access_token)).toMatchObject({ sub: res.body.user.id, tid: acme.id, roles: expect.arrayContaining(['employee', 'manager']) });
    expect(await userByEmail(`ada@${domain}`)).toMatchObject({ id: res.body.user.id, status: 'active', roles: ['employee', 'manager'] });

    // The subject is the directory's entryUUID, not the DN or the username.
    const [link] = await t.dataSource.query(`SELECT subject FROM "${acme.schema}".federated_identities WHERE connection_id = $1`, [connectionId]);
    expect(link.subject).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const me = await t.call('GET', `/v1/t/${acme.slug}/me`, undefined, { auth: res.body.access_token });
    expect(me.status).toBe(200);

    const succeeded = (await eventsOf(t, acme, 'auth.login.succeeded')).filter((e) => e.data.user_id === res.body.user.id);
    expect(succeeded.map((e) => e.data)).toEqual([expect.objectContaining({ auth_method: 'ldap', idp: connectionId, session_id: res.body.session_id })]);
    const [session] = await t.dataSource.query(`SELECT auth_method FROM "${acme.schema}".auth_sessions WHERE id = $1`, [res.body.session_id]);
    expect(session.auth_method).toBe('ldap');
  });

  it('signs the same user in again and follows the directory when a group membership goes', async () => {
    const first = await ldapLogin('ADA', 'ada-directory-pw');
    expect(first.status).toBe(200);
    const before = await userCount();
    // groupOfNames needs one member: someone else joins before ada leaves.
    await slapd.modify(`dn: ${managersDn}\nchangetype: modify\nadd: member\nmember: cn=nobody,${SUFFIX}\n`);
    await slapd.modify(`dn: ${managersDn}\nchangetype: modify\ndelete: member\nmember: ${adaDn}\n`);
    const again = await ldapLogin('ada', 'ada-directory-pw');
    expect(again.status).toBe(200);
    expect(again.body.user.id).toBe(first.body.user.id);
    expect(await userCount()).toBe(before);
    expect((await userByEmail(`ada@${domain}`)).roles).toEqual(['employee']);
  });

  it("finds a posixGroup's members by the entry's uid, whatever spelling of it the user typed", async () => {
    // memberUid is compared exactly (RFC 2307): the typed spelling the directory folded to uid=olga would match no group.
    await slapd.addUser({ uid: 'olga', password: 'olga-directory-pw', mail: `olga@posix.${domain}` });
    await slapd.add(`dn: cn=operators,${GROUPS}\nobjectClass: posixGroup\ncn: operators\ngidNumber: 5000\nmemberUid: olga\n`);
    const posix = await createConnection({
      jit: { enabled: true, default_roles: [] },
      group_role_mapping: [{ group: 'operators', role: 'guest' }],
      ldap: ldapSettings({ user_search_filter: '(|(uid={{username}})(mail={{username}}))', group_search_filter: '(memberUid={{username}})' }),
    });
    for (const typed of ['OLGA', 'ｏｌｇａ', `olga@posix.${domain}`]) {
      const res = await ldapLogin(typed, 'olga-directory-pw', posix);
      expect(res.status).toBe(200);
      expect(claims(res.body.access_token).roles).toContain('guest');
    }
  });

  it('never lets a username become part of the filter: injections match no one, even where an unescaped filter would match exactly one entry', async () => {
    const solo = await slapd.addOu(`solo${Date.now().toString(36)}`);
    await slapd.addUser({ uid: 'solo', password: 'solo-pw', mail: `solo@${domain}`, base: solo });
    const soloConnection = await createConnection({
      jit: { enabled: true, default_roles: [] },
      ldap: ldapSettings({ user_search_base: solo, user_search_filter: '(&(objectClass=inetOrgPerson)(uid={{username}}))', group_search_base: undefined }),
    });
    const before = await userCount();
    for (const username of ['*', '*)(uid=*', 'admin)(|(uid=*', 'sol*', 's*o', '*)(objectClass=*', 'solo)(uid=solo', '\\2a']) {
      const res = await ldapLogin(username, 'solo-pw', soloConnection);
      expect({ username, status: res.status, code: res.body.error?.code }).toEqual({ username, status: 401, code: 'auth.invalid_credentials' });
    }
    expect(await userCount()).toBe(before);
    // The same connection signs solo in by its real name: the refusals above were the escaping, not the connection.
    expect((await ldapLogin('solo', 'solo-pw', soloConnection)).status).toBe(200);
  });

  it('refuses an empty password before asking the directory (even one that is down)', async () => {
    const down = await createConnection({ ldap: ldapSettings({ url: 'ldap://127.0.0.1:9', start_tls: false, ca_certificate: undefined }) });
    for (const connection of [connectionId, down]) {
      const res = await ldapLogin('ada', '', connection);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation.failed');
    }
    const failed = (await eventsOf(t, acme, 'federation.login.failed')).filter((e) => e.data.connection_id === down);
    expect(failed).toEqual([]);
  });

  it('answers unknown user, wrong password, AD-disabled and ppolicy-locked accounts the same, and asks the directory the same of each: one search, one bind', async () => {
    const disabledDn = await slapd.addUser({ uid: 'dora', password: 'dora-pw', userAccountControl: 514, objectGuid: Buffer.alloc(16, 7) });
    const lockedDn = await slapd.addUser({ uid: 'lars', password: 'lars-pw', mail: `lars@${domain}` });
    await slapd.lock(lockedDn);
    expect(disabledDn).toContain('dora');
    const answers = {
      unknown: await ldapLogin('nobody-at-all', 'whatever-pw'),
      wrong: await ldapLogin('grace', 'not-graces-pw'),
      disabled: await ldapLogin('dora', 'dora-pw'),
      locked: await ldapLogin('lars', 'lars-pw'),
    };
    for (const [kind, res] of Object.entries(answers)) {
      expect({ kind, status: res.status, code: res.body.error?.code, message: res.body.error?.message }).toEqual({
        kind,
        status: 401,
        code: 'auth.invalid_credentials',
        message: 'The credentials are not valid.',
      });
    }
    // Each counts as a failed directory sign-in, with no user named.
    const failed = (await eventsOf(t, acme, 'auth.login.failed')).filter((e) => e.data.auth_method === 'ldap');
    expect(failed.length).toBeGreaterThanOrEqual(4);
    expect(failed.every((e) => e.data.user_id === null && e.data.reason === 'invalid_credentials')).toBe(true);

    // Each costs the directory the same work, one search and one bind (as a DN no directory has when the user
    // cannot sign in), so how long the answer takes says nothing the answer does not. Counted by the directory
    // itself: timings of a few milliseconds on a shared machine failed CI at 3.7 and 4x.
    const reading = await directoryWorkOf(async () => undefined); // what reading the counters costs
    const work: Record<string, Record<string, number>> = {};
    for (const [kind, username, password] of [
      ['unknown', 'ghost-of-nobody', 'whatever-pw'],
      ['wrong', 'grace', 'still-not-graces-pw'],
      ['disabled', 'dora', 'dora-pw'],
      ['locked', 'lars', 'lars-pw'],
    ]) {
      const during = await directoryWorkOf(() => ldapLogin(username, password));
      work[kind] = Object.fromEntries(Object.entries(during).map(([op, n]) => [op, n - (reading[op] ?? 0)]));
    }
    expect(work.wrong).toMatchObject({ bind: 1, search: 1 });
    for (const kind of ['unknown', 'disabled', 'locked']) expect({ kind, ...work[kind] }).toEqual({ kind, ...work.wrong });
  });

  it('locks a directory username after five failures, even for the right password, with Retry-After', async () => {
    await slapd.addUser({ uid: 'lena', password: 'lena-pw' });
    for (let i = 0; i < 5; i += 1) expect((await ldapLogin('lena', `bad-${i}`)).status).toBe(401);
    const locked = await ldapLogin('lena', 'lena-pw');
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('auth.account.locked');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('counts every spelling the directory matches for one account against one lockout: full-width letters, spaces, uid or mail', async () => {
    // The directory folds compatibility forms and runs of spaces, and this filter takes a uid or a mail:
    // keyed by what was typed, each spelling would get five guesses of its own.
    const either = await createConnection({ ldap: ldapSettings({ user_search_filter: '(|(uid={{username}})(mail={{username}}))' }), jit: { enabled: true, default_roles: [] } });
    await slapd.addUser({ uid: 'lina lund', password: 'lina-pw', mail: `lina@${domain}` });
    for (const spelling of ['lina lund', 'ｌina lund', 'lina  lund', `lina@${domain}`, 'lｉna\u3000lund']) {
      expect((await ldapLogin(spelling, 'wrong-pw', either)).status).toBe(401);
    }
    const locked = await ldapLogin('ｌｉｎａ lund', 'lina-pw', either);
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('auth.account.locked');

    // A name the directory does not know locks the same way across its spellings.
    for (const spelling of ['nobody', 'ｎobody', 'noｂody', 'NOBODY ', 'nobodｙ']) expect((await ldapLogin(spelling, 'wrong-pw', either)).status).toBe(401);
    expect((await ldapLogin('ｎｏｂｏｄｙ', 'wrong-pw', either)).status).toBe(423);
  });

  it('answers a filter that matches many entries as an ambiguous one: 401 even for the right password, not 503', async () => {
    const broad = await createConnection({
      ldap: ldapSettings({ user_search_filter: '(|(uid={{username}})(objectClass=inetOrgPerson))' }),
      jit: { enabled: true, default_roles: [] },
    });
    const res = await ldapLogin('ada', 'ada-directory-pw', broad);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.invalid_credentials');
  });

  it('refuses a user the directory accepts when Credence may not sign them in (JIT off), with the same 401 and the reason in the audit trail', async () => {
    const closed = await createConnection({ jit: { enabled: false, default_roles: [] }, ldap: ldapSettings() });
    const res = await ldapLogin('grace', 'grace-directory-pw', closed);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.invalid_credentials');
    const failed = (await eventsOf(t, acme, 'federation.login.failed')).filter((e) => e.data.connection_id === closed);
    expect(failed.map((e) => e.data.reason)).toEqual(['jit_disabled']);
    expect(JSON.stringify(failed)).not.toContain('grace-directory-pw');
  });

  it("answers 404 for another tenant's connection, a SAML connection or an unknown id, and 400 for a malformed one", async () => {
    const otherSlug = uniqueSlug('ldap-other');
    expect((await t.call('POST', '/v1/admin/tenants', { slug: otherSlug, name: otherSlug, admin: { email: `admin@${otherSlug}.example`, password: PASSWORD } })).status).toBe(
      201,
    );
    const fromOther = await ldapLogin('ada', 'ada-directory-pw', connectionId, otherSlug);
    expect(fromOther.status).toBe(404);
    expect(fromOther.body.error.code).toBe('connection.not_found');
    expect((await ldapLogin('ada', 'ada-directory-pw', '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const idp = await newSpCredential('Corp IdP', 'signing');
    const saml = await admin('POST', '/connections', {
      type: 'saml',
      name: 'Corp SSO',
      saml: { idp_entity_id: 'https://idp.corp.example', idp_sso_url: 'https://idp.corp.example/sso', idp_certificates: [idp.certificatePem] },
    });
    expect(saml.status).toBe(201);
    expect((await ldapLogin('ada', 'ada-directory-pw', saml.body.id)).body.error.code).toBe('connection.not_found');
    const malformed = await ldapLogin('ada', 'ada-directory-pw', 'not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('validation.failed');
  });

  it('keeps credentials out of events and the sealed config: no password or bind password in the outbox or the connection row', async () => {
    const outbox = JSON.stringify(await t.dataSource.query(`SELECT event FROM platform.outbox WHERE tenant_id = $1`, [acme.id]));
    for (const secret of ['ada-directory-pw', 'grace-directory-pw', 'not-graces-pw', 'lena-pw', SERVICE_PASSWORD]) expect(outbox).not.toContain(secret);
    const rows = JSON.stringify(await t.dataSource.query(`SELECT config, jit, attribute_mapping FROM "${acme.schema}".connections`));
    expect(rows).not.toContain(SERVICE_PASSWORD);
  });

  it('tests the connection with a service bind, and reports a refused bind password', async () => {
    const ok = await admin('POST', `/connections/${connectionId}/test`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, checks: [{ name: 'service_bind', ok: true, detail: expect.any(String) }] });
    const wrong = await createConnection({ ldap: ldapSettings({ bind_password: 'not-the-service-password' }) });
    const refused = await admin('POST', `/connections/${wrong}/test`);
    expect(refused.body).toEqual({ ok: false, checks: [{ name: 'service_bind', ok: false, detail: expect.stringMatching(/invalid credentials/) }] });
    // Signing in through it is the directory being unavailable, not the user's fault.
    const res = await ldapLogin('grace', 'grace-directory-pw', wrong);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('federation.ldap_unavailable');
  });

  it('answers 500 federation.secrets_unreadable for a service password sealed with another key-encryption key, and blames neither the directory nor the user', async () => {
    await slapd.addUser({ uid: 'kek', password: 'kek-directory-pw', mail: `kek@${domain}` });
    const id = await createConnection({ jit: { enabled: true, default_roles: ['employee'] }, ldap: ldapSettings() });
    // The row as another installation (another CREDENCE_KEY_ENCRYPTION_KEY) would have sealed it, before this one ever read it.
    const elsewhere = new KeyEncryption(randomBytes(32).toString('base64'));
    const sealed = elsewhere.encrypt(Buffer.from(JSON.stringify({ bind_password: SERVICE_PASSWORD })), secretsAssociatedData(acme.id, id));
    await t.dataSource.query(`UPDATE "${acme.schema}".connections SET secrets = $2, secrets_kek_id = $3 WHERE id = $1`, [id, sealed, elsewhere.kekId]);
    const users = await userCount();
    const failed = async () => (await eventsOf(t, acme, 'federation.login.failed')).length + (await eventsOf(t, acme, 'auth.login.failed')).length;
    const failedBefore = await failed();

    const res = await ldapLogin('kek', 'kek-directory-pw', id);
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ code: 'federation.secrets_unreadable', message: "The connection's secrets cannot be opened.", trace_id: expect.any(String) });
    expect(await userCount()).toBe(users);
    expect(await failed()).toBe(failedBefore);
    const tested = await admin('POST', `/connections/${id}/test`);
    expect(tested.body).toEqual({ ok: false, checks: [{ name: 'service_bind', ok: false, detail: "The connection's secrets cannot be opened." }] });
    // Setting the password again seals it with this installation's key.
    expect((await admin('PATCH', `/connections/${id}`, { ldap: { bind_password: SERVICE_PASSWORD } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50)); // the connections version is bumped after the commit
    expect((await ldapLogin('kek', 'kek-directory-pw', id)).status).toBe(200);
  });

  it('uses a changed service password on the next sign-in, in both directions (the kept connection and its pooled binds follow it)', async () => {
    const id = await createConnection({ jit: { enabled: true, default_roles: ['employee'] }, ldap: ldapSettings({ bind_password: 'not-the-service-password' }) });
    expect((await ldapLogin('grace', 'grace-directory-pw', id)).status).toBe(503);
    const settle = () => new Promise((r) => setTimeout(r, 50)); // the connections version is bumped after the commit
    expect((await admin('PATCH', `/connections/${id}`, { ldap: { bind_password: SERVICE_PASSWORD } })).status).toBe(200);
    await settle();
    expect((await ldapLogin('grace', 'grace-directory-pw', id)).status).toBe(200);
    // A service connection bound with the old password is idle in the pool now: a new password must not reuse it.
    expect((await admin('PATCH', `/connections/${id}`, { ldap: { bind_password: 'not-the-service-password' } })).status).toBe(200);
    await settle();
    const res = await ldapLogin('grace', 'grace-directory-pw', id);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('federation.ldap_unavailable');
  });
});
