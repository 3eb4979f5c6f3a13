import { randomBytes, randomUUID } from 'node:crypto';
import { RequestContext } from '@credence/context';
import { sha256 } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { CompleteFederatedSignIn, ConnectionStore, FederatedIdentity, FederatedSignIn, FederatedSignInResult } from '@credence/federation';
import type { ClientInfo } from '@credence/identity';
import { InteractionStore } from '@credence/oauth';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { FederationAppModule } from '../../apps/federation/src/federation-app.module';
import { eventsOf, member, onboard, Tenant } from './identity-authz-fixture';

const CLIENT: ClientInfo = { ip: '203.0.113.7', userAgent: 'jest', deviceType: 'desktop', location: null };

interface ConnectionSpec {
  jit?: boolean;
  defaultRoles?: string[];
  rules?: { group: string; role: string }[];
  domains?: string[];
  enabled?: boolean;
}

/**
 * Users from an IdP (federation contract, "Users from an IdP"): FederatedSignIn as the SAML, OIDC and
 * LDAP sign-ins call it, against the real tenant schema: JIT, linking through verified domains only,
 * group → role rules on every sign-in, profile updates, refusals, races and hostile identities.
 */
describe('federated users', () => {
  let t: TestApp;
  let acme: Tenant;
  let other: Tenant;
  let context: RequestContext;
  let signInService: FederatedSignIn;
  let n = 0;

  const unique = (prefix: string) => `${prefix}-${(n += 1)}-${Date.now().toString(36)}`;

  const connection = async (tenant: Tenant, spec: ConnectionSpec = {}): Promise<string> => {
    const id = randomUUID();
    await t.dataSource.query(
      `INSERT INTO "${tenant.schema}".connections (id, type, name, enabled, jit, group_role_mapping, config, created_by)
       VALUES ($1, 'saml', $2, $3, $4, $5, '{}', 'test')`,
      [id, unique('conn'), spec.enabled ?? true, JSON.stringify({ enabled: spec.jit ?? true, default_roles: spec.defaultRoles ?? [] }), JSON.stringify(spec.rules ?? [])],
    );
    for (const domain of spec.domains ?? []) await t.dataSource.query(`INSERT INTO "${tenant.schema}".connection_domains (domain, connection_id) VALUES ($1, $2)`, [domain, id]);
    return id;
  };

  const signIn = (connectionId: string, identity: Partial<FederatedIdentity>, tenant: Tenant = acme): Promise<FederatedSignInResult> =>
    context.runWith({ tenant: { id: tenant.id, slug: tenant.slug, schema: tenant.schema } }, () =>
      signInService.resolve({ id: connectionId, type: 'saml' }, { groups: [], ...identity } as FederatedIdentity, CLIENT),
    );

  const linkOf = async (connectionId: string, subject: string, tenant: Tenant = acme) => {
    const [row] = await t.dataSource.query(`SELECT last_login_at, subject_format FROM "${tenant.schema}".federated_identities WHERE connection_id = $1 AND subject = $2`, [
      connectionId,
      subject,
    ]);
    return row as { last_login_at: Date; subject_format: string | null };
  };
  const userRow = async (id: string, tenant: Tenant = acme) => {
    const [row] = await t.dataSource.query(
      `SELECT u.id, u.email, u.display_name, u.status, u.attributes, u.updated_at,
              coalesce((SELECT array_agg(r.name ORDER BY r.name) FROM "${tenant.schema}".user_roles ur JOIN "${tenant.schema}".roles r ON r.id = ur.role_id WHERE ur.user_id = u.id), '{}') AS roles
         FROM "${tenant.schema}".users u WHERE u.id = $1`,
      [id],
    );
    return row;
  };
  const usersWithEmail = async (email: string, tenant: Tenant = acme) =>
    (await t.dataSource.query(`SELECT id FROM "${tenant.schema}".users WHERE lower(email) = $1`, [email.toLowerCase()])).map((r: { id: string }) => r.id);
  const grantsOf = async (userId: string, tenant: Tenant = acme) =>
    (
      await t.dataSource.query(
        `SELECT r.name FROM "${tenant.schema}".federated_role_grants g JOIN "${tenant.schema}".roles r ON r.id = g.role_id WHERE g.user_id = $1 ORDER BY r.name`,
        [userId],
      )
    ).map((r: { name: string }) => r.name);
  const userEvents = async (userId: string, tenant: Tenant = acme) => (await eventsOf(t, tenant)).filter((e) => e.subject === `user/${userId}`);
  const failures = async (connectionId: string, tenant: Tenant = acme) =>
    (await eventsOf(t, tenant, 'federation.login.failed')).filter((e) => e.data.connection_id === connectionId).map((e) => e.data);
  const admin = (method: string, path: string, tenant: Tenant = acme) => t.call(method, `/v1/t/${tenant.slug}${path}`, undefined, { auth: tenant.admin });
  const expectOk = (result: FederatedSignInResult): string => {
    if (!result.ok) throw new Error(`refused: ${result.reason}`);
    return result.userId;
  };

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule, FederationAppModule]);
    context = t.app.get(RequestContext);
    signInService = t.app.get(FederatedSignIn);
    acme = await onboard(t, 'fedusers');
    other = await onboard(t, 'fedusers-other');
  });
  afterAll(() => t.close());

  it('creates the user on a first sign-in (JIT): mapped e-mail and names, default roles, rule roles, the link, and the events CreateUser and AssignRole emit', async () => {
    const conn = await connection(acme, { defaultRoles: ['employee', 'no_such_role'], rules: [{ group: 'Managers', role: 'manager' }] });
    const email = `${unique('ann')}@jit.example`;
    const result = await signIn(conn, { subject: 'ann-subject', email: email.toUpperCase(), given_name: ' Ann ', family_name: 'Lee', groups: ['managers', 'unrelated'] });
    expect(result).toEqual({ ok: true, userId: expect.any(String), jitCreated: true });
    const id = expectOk(result);

    expect(await userRow(id)).toMatchObject({
      email,
      display_name: 'Ann Lee',
      status: 'active',
      attributes: { given_name: 'Ann', family_name: 'Lee' },
      roles: ['employee', 'manager'],
    });
    // Only the rule's role is the connection's to take away; the default role is given once, like by hand.
    expect(await grantsOf(id)).toEqual(['manager']);
    const [link] = await t.dataSource.query(`SELECT user_id, last_login_at FROM "${acme.schema}".federated_identities WHERE connection_id = $1 AND subject = $2`, [
      conn,
      'ann-subject',
    ]);
    expect(link.user_id).toBe(id);
    expect(link.last_login_at).not.toBeNull();

    const events = await userEvents(id);
    expect(events.map((e) => e.type)).toEqual(['user.created', 'user.role.assigned', 'user.identity_linked', 'user.role.assigned', 'federation.login.succeeded']);
    expect(events[0].data).toEqual({ user_id: id, email, username: null, status: 'active' });
    expect(events[1].data).toEqual({ user_id: id, role_id: expect.any(String), role: 'employee' });
    expect(events[2].data).toEqual({ user_id: id, connection_id: conn, connection_type: 'saml', jit_created: true });
    expect(events[3].data).toMatchObject({ role: 'manager' });
    expect(events[4].data).toEqual({
      connection_id: conn,
      connection_type: 'saml',
      user_id: id,
      jit_created: true,
      ip: CLIENT.ip,
      user_agent: 'jest',
      device_type: 'desktop',
      location: null,
    });
  });

  it('signs the same subject in again as the same user and copies what the IdP sends now (user.updated only when something changed; what it stops sending is kept)', async () => {
    const conn = await connection(acme);
    const email = `${unique('bo')}@jit.example`;
    const id = expectOk(await signIn(conn, { subject: 'bo', email, given_name: 'Bo', family_name: 'Berg' }));
    const firstLink = await linkOf(conn, 'bo');

    const newEmail = `${unique('bo.berg')}@jit.example`;
    const format = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
    expect(await signIn(conn, { subject: 'bo', subjectFormat: format, email: newEmail, given_name: 'Bosse', family_name: 'Berg' })).toEqual({
      ok: true,
      userId: id,
      jitCreated: false,
    });
    // The link records the returning sign-in: when, and the subject's format as the IdP sends it now.
    const secondLink = await linkOf(conn, 'bo');
    expect(secondLink.last_login_at.getTime()).toBeGreaterThan(firstLink.last_login_at.getTime());
    expect(secondLink.subject_format).toBe(format);
    expect(await userRow(id)).toMatchObject({ email: newEmail, display_name: 'Bosse Berg', attributes: { given_name: 'Bosse', family_name: 'Berg' } });
    let updates = (await userEvents(id)).filter((e) => e.type === 'user.updated');
    expect(updates.map((e) => e.data)).toEqual([{ user_id: id, changed: ['email', 'display_name', 'attributes'] }]);

    // Same values, then no names at all: nothing changes, nothing is emitted, the names stay.
    expectOk(await signIn(conn, { subject: 'bo', email: newEmail, given_name: 'Bosse', family_name: 'Berg' }));
    expectOk(await signIn(conn, { subject: 'bo', email: newEmail }));
    updates = (await userEvents(id)).filter((e) => e.type === 'user.updated');
    expect(updates).toHaveLength(1);
    expect(await userRow(id)).toMatchObject({ display_name: 'Bosse Berg' });

    // An e-mail another user has is not taken: the user keeps theirs and still signs in.
    const taken = await member(t, acme, []);
    expectOk(await signIn(conn, { subject: 'bo', email: taken.email }));
    expect((await userRow(id)).email).toBe(newEmail);
    expect(await usersWithEmail(taken.email)).toEqual([taken.id]);
  });

  it('refuses an unknown subject when JIT is off (jit_disabled): no user, the refusal in the trail', async () => {
    const conn = await connection(acme, { jit: false });
    const email = `${unique('nojit')}@jit.example`;
    expect(await signIn(conn, { subject: 'nojit', email })).toEqual({ ok: false, reason: 'jit_disabled', userId: null });
    expect(await usersWithEmail(email)).toEqual([]);
    expect(await failures(conn)).toEqual([expect.objectContaining({ reason: 'jit_disabled', user_id: null, connection_type: 'saml', ip: CLIENT.ip })]);
  });

  it('links an existing local user only through a verified domain of the connection; otherwise account_exists and nothing changes', async () => {
    const verified = await connection(acme, { domains: [`${acme.slug}.example`], jit: false });
    const unverified = await connection(acme, { domains: [`${unique('elsewhere')}.example`] });

    const local = await member(t, acme, ['employee']);
    expect(await signIn(verified, { subject: 'local-1', email: local.email.toUpperCase() })).toEqual({ ok: true, userId: local.id, jitCreated: false });
    const linked = (await userEvents(local.id)).filter((e) => e.type === 'user.identity_linked');
    expect(linked.map((e) => e.data)).toEqual([{ user_id: local.id, connection_id: verified, connection_type: 'saml', jit_created: false }]);
    // Next time through the link, by subject alone.
    expect(await signIn(verified, { subject: 'local-1' })).toEqual({ ok: true, userId: local.id, jitCreated: false });

    const victim = await member(t, acme, ['employee']);
    const before = await userRow(victim.id);
    expect(await signIn(unverified, { subject: 'attacker', email: victim.email, given_name: 'Mallory' })).toEqual({ ok: false, reason: 'account_exists', userId: victim.id });
    expect(await userRow(victim.id)).toEqual(before);
    expect(await t.dataSource.query(`SELECT 1 FROM "${acme.schema}".federated_identities WHERE user_id = $1`, [victim.id])).toEqual([]);
    expect(await failures(unverified)).toEqual([expect.objectContaining({ reason: 'account_exists', user_id: victim.id })]);
  });

  it('finds a local user whose address has an İ as Postgres lower-cases it: linked, not a second account; the address is not rewritten', async () => {
    const turkish = await onboard(t, 'fedusers-tr');
    const verified = await connection(turkish, { domains: [`${turkish.slug}.example`], jit: true });
    const email = `İnci@${turkish.slug}.example`;
    const created = await t.call('POST', `/v1/t/${turkish.slug}/users`, { email }, { auth: turkish.admin });
    expect(created.status).toBe(201);
    const local = created.body.id as string;
    // JavaScript lower-cases İ to i and a combining dot; Postgres's lower(), which the lookup compares with, to i.
    expect(await signIn(verified, { subject: 'inci', email }, turkish)).toEqual({ ok: true, userId: local, jitCreated: false });
    expect(await signIn(verified, { subject: 'inci-upper', email: email.toUpperCase() }, turkish)).toEqual({ ok: true, userId: local, jitCreated: false });
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${turkish.schema}".users WHERE lower(email) = lower($1)`, [email]);
    expect(n).toBe(1);
    expect((await userEvents(local, turkish)).filter((e) => e.type === 'user.updated')).toEqual([]);
  });

  it('refuses a disabled user, linked or found by e-mail (user_disabled), and signs them in again once enabled', async () => {
    const conn = await connection(acme, { domains: [`${unique('corp')}.example`] });
    const id = expectOk(await signIn(conn, { subject: 'dis', email: `${unique('dis')}@jit.example` }));
    expect((await admin('POST', `/users/${id}/disable`)).status).toBe(200);
    const before = await linkOf(conn, 'dis');
    expect(await signIn(conn, { subject: 'dis', subjectFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', given_name: 'Changed' })).toEqual({
      ok: false,
      reason: 'user_disabled',
      userId: id,
    });
    expect((await userRow(id)).attributes).toEqual({});
    // A refused sign-in does not count as one: the link is as it was.
    expect(await linkOf(conn, 'dis')).toEqual(before);

    const verified = await connection(acme, { domains: [`sub.${acme.slug}.example`] });
    const created = await t.call('POST', `/v1/t/${acme.slug}/users`, { email: `${unique('loc')}@sub.${acme.slug}.example` }, { auth: acme.admin });
    expect(created.status).toBe(201);
    const local = created.body;
    expect((await admin('POST', `/users/${local.id}/disable`)).status).toBe(200);
    expect(await signIn(verified, { subject: 'loc', email: local.email })).toEqual({ ok: false, reason: 'user_disabled', userId: local.id });

    expect((await admin('POST', `/users/${id}/enable`)).status).toBe(200);
    expect(await signIn(conn, { subject: 'dis' })).toEqual({ ok: true, userId: id, jitCreated: false });
  });

  it('waits for a disable in progress and then refuses: the sign-in holds the user row, so a disable cannot slip between its read and its commit', async () => {
    const conn = await connection(acme);
    const id = expectOk(await signIn(conn, { subject: 'slow-disable', email: `${unique('slow')}@jit.example` }));
    const disabler = t.dataSource.createQueryRunner();
    await disabler.connect();
    try {
      await disabler.startTransaction();
      await disabler.query(`SELECT 1 FROM "${acme.schema}".users WHERE id = $1 FOR UPDATE`, [id]);
      const pending = signIn(conn, { subject: 'slow-disable', given_name: 'Late' });
      await new Promise((r) => setTimeout(r, 150));
      await disabler.query(`UPDATE "${acme.schema}".users SET status = 'disabled' WHERE id = $1`, [id]);
      await disabler.commitTransaction();
      expect(await pending).toEqual({ ok: false, reason: 'user_disabled', userId: id });
      expect((await userRow(id)).attributes).toEqual({});
    } finally {
      await disabler.release();
    }
  });

  it('applies group rules on every sign-in: grants the rule roles, takes them away when the group goes, never a role given by hand', async () => {
    const rules = [
      { group: 'Managers', role: 'manager' },
      { group: 'CN=Directors,OU=Groups,DC=acme,DC=com', role: 'director' },
      { group: 'guests', role: 'guest' },
    ];
    const conn = await connection(acme, { rules });
    const id = expectOk(await signIn(conn, { subject: 'rules', email: `${unique('rules')}@jit.example`, groups: ['MANAGERS'] }));
    expect((await userRow(id)).roles).toEqual(['manager']);

    // Given by hand: employee (no rule names it) and guest (a rule names it, but the user had it first).
    expect((await admin('POST', `/users/${id}/roles/employee`)).status).toBe(200);
    expect((await admin('POST', `/users/${id}/roles/guest`)).status).toBe(200);
    expectOk(await signIn(conn, { subject: 'rules', groups: ['cn=directors, ou=groups, dc=acme, dc=com', 'Guests'] }));
    expect((await userRow(id)).roles).toEqual(['director', 'employee', 'guest']);
    expect(await grantsOf(id)).toEqual(['director']);

    expectOk(await signIn(conn, { subject: 'rules', groups: [] }));
    expect((await userRow(id)).roles).toEqual(['employee', 'guest']);
    expect(await grantsOf(id)).toEqual([]);

    const roleEvents = (await userEvents(id)).filter((e) => e.type.startsWith('user.role.')).map((e) => `${e.type.slice(10)} ${e.data.role}`);
    expect(roleEvents).toEqual(['assigned manager', 'assigned employee', 'assigned guest', 'assigned director', 'removed manager', 'removed director']);

    // A role two connections grant stays until neither does.
    const second = await connection(acme, { rules: [{ group: 'eng', role: 'director' }] });
    await t.dataSource.query(`INSERT INTO "${acme.schema}".federated_identities (connection_id, subject, user_id) VALUES ($1, 'rules-2', $2)`, [second, id]);
    expectOk(await signIn(conn, { subject: 'rules', groups: ['CN=Directors,OU=Groups,DC=acme,DC=com'] }));
    expectOk(await signIn(second, { subject: 'rules-2', groups: ['eng'] }));
    expect(await grantsOf(id)).toEqual(['director', 'director']);
    expectOk(await signIn(conn, { subject: 'rules', groups: [] }));
    expect((await userRow(id)).roles).toEqual(['director', 'employee', 'guest']);
    expectOk(await signIn(second, { subject: 'rules-2', groups: [] }));
    expect((await userRow(id)).roles).toEqual(['employee', 'guest']);
  });

  it('never takes tenant_admin from the last active tenant admin, and takes it once another admin exists', async () => {
    const solo = await onboard(t, 'fedusers-solo');
    const conn = await connection(solo, { rules: [{ group: 'admins', role: 'tenant_admin' }] });
    const id = expectOk(await signIn(conn, { subject: 'boss', email: `${unique('boss')}@jit.example`, groups: ['Admins'] }, solo));
    expect((await userRow(id, solo)).roles).toEqual(['tenant_admin']);
    // The onboarded admin loses the role: the federated user is now the only tenant admin.
    await t.dataSource.query(`DELETE FROM "${solo.schema}".user_roles WHERE user_id = $1 AND role_id = (SELECT id FROM "${solo.schema}".roles WHERE name = 'tenant_admin')`, [
      solo.adminId,
    ]);

    expectOk(await signIn(conn, { subject: 'boss', groups: [] }, solo));
    expect((await userRow(id, solo)).roles).toEqual(['tenant_admin']);
    expect(await grantsOf(id, solo)).toEqual(['tenant_admin']);
    expect((await userEvents(id, solo)).filter((e) => e.type === 'user.role.removed')).toEqual([]);

    await t.dataSource.query(`INSERT INTO "${solo.schema}".user_roles (user_id, role_id) SELECT $1, id FROM "${solo.schema}".roles WHERE name = 'tenant_admin'`, [solo.adminId]);
    expectOk(await signIn(conn, { subject: 'boss', groups: [] }, solo));
    expect((await userRow(id, solo)).roles).toEqual([]);
    expect(await grantsOf(id, solo)).toEqual([]);
  });

  it('creates one user when five first sign-ins of the same new subject race, and all of them succeed', async () => {
    const conn = await connection(acme, { defaultRoles: ['employee'], rules: [{ group: 'g', role: 'manager' }] });
    const email = `${unique('race')}@jit.example`;
    const results = await Promise.all(Array.from({ length: 5 }, () => signIn(conn, { subject: 'race', email, groups: ['g'] })));
    const ids = new Set(results.map(expectOk));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.ok && r.jitCreated)).toHaveLength(1);
    const [id] = [...ids];
    expect(await usersWithEmail(email)).toEqual([id]);
    expect((await userRow(id)).roles).toEqual(['employee', 'manager']);
    expect((await userEvents(id)).filter((e) => e.type === 'user.created')).toHaveLength(1);
    expect((await userEvents(id)).filter((e) => e.type === 'federation.login.succeeded')).toHaveLength(5);
  });

  it('never answers a 500 when different subjects race for the same new e-mail: one user, the others account_exists', async () => {
    const conn = await connection(acme);
    const email = `${unique('same-mail')}@jit.example`;
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => signIn(conn, { subject: `mail-race-${i}`, email })));
    const created = results.filter((r) => r.ok);
    expect(created).toHaveLength(1);
    const [id] = await usersWithEmail(email);
    expect(results.filter((r) => !r.ok)).toEqual(Array(4).fill({ ok: false, reason: 'account_exists', userId: id }));
  });

  it('does not know another tenant’s connection, nor a connection id that is no uuid', async () => {
    const foreign = await connection(other);
    const attempt = signIn(foreign, { subject: 'x', email: `${unique('x')}@jit.example` });
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(signIn(foreign, { subject: 'x' })).rejects.toMatchObject({ code: 'connection.not_found' });
    await expect(signIn('not-a-uuid', { subject: 'x' })).rejects.toMatchObject({ code: 'connection.not_found' });
    // The connection works in its own tenant.
    expectOk(await signIn(foreign, { subject: 'x', email: `${unique('x')}@jit.example` }, other));
  });

  it('refuses a disabled connection (connection_disabled)', async () => {
    const conn = await connection(acme, { enabled: false });
    expect(await signIn(conn, { subject: 'off', email: `${unique('off')}@jit.example` })).toEqual({ ok: false, reason: 'connection_disabled', userId: null });
  });

  it('refuses hostile identities as malformed or subject_missing before anything is written', async () => {
    const conn = await connection(acme);
    const email = `${unique('hostile')}@jit.example`;
    const cases: [Partial<FederatedIdentity>, string][] = [
      [{ subject: 'nul\u0000byte', email }, 'malformed'],
      [{ subject: 'x'.repeat(10 * 1024), email }, 'malformed'],
      [{ subject: '' }, 'subject_missing'],
      [{ subject: '   ', email }, 'subject_missing'],
      [{ subject: 42 as never, email }, 'malformed'],
      [{ subject: 'h1', email: 'no-at-sign' }, 'malformed'],
      [{ subject: 'h2', email: `a\u0000${email}` }, 'malformed'],
      [{ subject: 'h3', email: `${'a'.repeat(300)}@jit.example` }, 'malformed'],
      [{ subject: 'h4', email, given_name: 'Eve\u0000' }, 'malformed'],
      [{ subject: 'h5', email, family_name: 'x'.repeat(10 * 1024) }, 'malformed'],
      [{ subject: 'h6', email, groups: Array.from({ length: 5000 }, (_, i) => `g${i}`) }, 'malformed'],
      // JIT needs an e-mail: a subject alone cannot become a user.
      [{ subject: 'h7' }, 'subject_missing'],
    ];
    for (const [identity, reason] of cases) expect(await signIn(conn, identity)).toEqual({ ok: false, reason, userId: null });
    expect(await usersWithEmail(email)).toEqual([]);
    expect((await failures(conn)).map((f) => f.reason)).toEqual(cases.map(([, reason]) => reason));

    // Junk among the groups is ignored, not fatal.
    expectOk(await signIn(conn, { subject: 'h8', email, groups: [null, 3, '', 'x'.repeat(5000), 'ok'] as never }));
  });

  it('treats a deleted user’s subject as new: JIT creates a fresh account (no roles given by hand come back); with JIT off it is refused', async () => {
    const conn = await connection(acme, { defaultRoles: ['guest'] });
    const email = `${unique('gone')}@jit.example`;
    const id = expectOk(await signIn(conn, { subject: 'gone', email }));
    expect((await admin('POST', `/users/${id}/roles/director`)).status).toBe(200);
    expect((await admin('DELETE', `/users/${id}`)).status).toBe(204);

    const again = await signIn(conn, { subject: 'gone', email });
    expect(again).toEqual({ ok: true, userId: expect.any(String), jitCreated: true });
    expect(again.userId).not.toBe(id);
    expect((await userRow(again.userId!)).roles).toEqual(['guest']);

    const strict = await connection(acme, { jit: false, defaultRoles: ['guest'] });
    const strictId = expectOk(await signIn(conn, { subject: 'strict', email: `${unique('strict')}@jit.example` }));
    await t.dataSource.query(`INSERT INTO "${acme.schema}".federated_identities (connection_id, subject, user_id) VALUES ($1, 'strict', $2)`, [strict, strictId]);
    expect((await admin('DELETE', `/users/${strictId}`)).status).toBe(204);
    expect(await signIn(strict, { subject: 'strict' })).toEqual({ ok: false, reason: 'jit_disabled', userId: null });
  });

  describe('CompleteFederatedSignIn: the sign-in and the interaction in one transaction', () => {
    const inAcme = <T>(work: () => Promise<T>) => context.runWith({ tenant: { id: acme.id, slug: acme.slug, schema: acme.schema } }, work);
    const interaction = async () => {
      const cookie = randomBytes(32).toString('base64url');
      const created = await inAcme(() =>
        t.app.get(InteractionStore).create({
          clientId: 'cac_federated_users',
          redirectUri: 'https://app.example/cb',
          scope: ['openid'],
          state: 's1',
          codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSW-cM',
          binding: sha256(cookie).toString('hex'),
        }),
      );
      return { id: created.id, cookie };
    };
    const complete = async (connectionId: string, identity: Partial<FederatedIdentity>, started: { id: string; cookie: string | undefined }) =>
      inAcme(async () => {
        const found = await t.app.get(ConnectionStore).find(connectionId);
        return t.app.get(CompleteFederatedSignIn).execute(found!, { groups: [], ...identity } as FederatedIdentity, started.id, started.cookie, CLIENT);
      });
    const stillThere = (started: { id: string; cookie: string }) => inAcme(() => t.app.get(InteractionStore).load(started.id, started.cookie));

    it('creates the user, takes the interaction, starts the browser session and issues the code, with every event in one transaction', async () => {
      const conn = await connection(acme, { defaultRoles: ['employee'] });
      const started = await interaction();
      const email = `${unique('one')}@jit.example`;
      const result = await complete(conn, { subject: 'one-tx', email }, started);
      if (!result.ok) throw new Error(`refused: ${result.reason}`);
      expect(result.jitCreated).toBe(true);
      const redirect = new URL(result.completed.redirectTo);
      expect(`${redirect.origin}${redirect.pathname}`).toBe('https://app.example/cb');
      expect(redirect.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(redirect.searchParams.get('state')).toBe('s1');
      expect(result.completed.sessionCookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await stillThere(started)).toBeUndefined();
      const [session] = await t.dataSource.query(`SELECT user_id, idp, auth_method FROM "${acme.schema}".browser_sessions WHERE token_hash = $1`, [
        sha256(result.completed.sessionCookie!.value),
      ]);
      expect(session).toEqual({ user_id: result.userId, idp: conn, auth_method: 'saml' });
      // The outbox's created_at is the transaction's start: one value for the sign-in's and the session's events.
      const rows = await t.dataSource.query(
        `SELECT type, created_at FROM platform.outbox WHERE tenant_id = $1 AND event->'data'->>'user_id' = $2 AND type IN ('user.created', 'federation.login.succeeded', 'auth.login.succeeded')`,
        [acme.id, result.userId],
      );
      expect(rows.map((r: { type: string }) => r.type).sort()).toEqual(['auth.login.succeeded', 'federation.login.succeeded', 'user.created']);
      expect(new Set(rows.map((r: { created_at: Date }) => r.created_at.getTime())).size).toBe(1);
    });

    it('undoes the whole sign-in when the interaction is not this browser’s, and takes nothing on a refusal', async () => {
      const conn = await connection(acme);
      const started = await interaction();
      const email = `${unique('undone')}@jit.example`;
      await expect(complete(conn, { subject: 'undone', email }, { id: started.id, cookie: 'another-browser' })).rejects.toMatchObject({
        code: 'oauth.interaction_expired',
      });
      expect(await usersWithEmail(email)).toEqual([]);
      expect(await stillThere(started)).toMatchObject({ id: started.id });

      const strict = await connection(acme, { jit: false });
      expect(await complete(strict, { subject: 'nobody', email }, started)).toEqual({ ok: false, reason: 'jit_disabled', userId: null });
      expect((await failures(strict)).map((f) => f.reason)).toEqual(['jit_disabled']);
      expect(await stillThere(started)).toMatchObject({ id: started.id });
    });
  });
});
