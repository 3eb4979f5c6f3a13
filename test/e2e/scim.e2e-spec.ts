import { createHash } from 'node:crypto';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';
import { eventsOf, login, member, onboard, PASSWORD, Tenant } from './identity-authz-fixture';
import { ENTERPRISE, entraUser, GROUP_SCHEMA, oktaUser, PATCH_OP, ScimClient } from './scim-client';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/**
 * The SCIM 2.0 server (docs/scim.md) as Entra ID and Okta drive it, on the platform's real Postgres
 * and Redis: directories and their tokens, users written through identity's commands, groups feeding
 * roles, versions, errors in the RFC 7644 §3.12 shape, one tenant's token useless at another.
 */
describe('SCIM 2.0', () => {
  let t: TestApp;
  let acme: Tenant;
  let other: Tenant;
  let n = 0;
  const unique = (prefix: string) => `${prefix}${(n += 1)}-${Date.now().toString(36)}`;

  const directories = (method: string, path = '', body?: unknown, token: string | false = acme.admin, tenant: Tenant = acme) =>
    t.call(method, `/v1/t/${tenant.slug}/directories${path}`, body, { auth: token });
  const newDirectory = async (body: Record<string, unknown> = {}, tenant: Tenant = acme) => {
    const res = await directories('POST', '', { name: 'Entra ID', ...body }, tenant.admin, tenant);
    expect(res.status).toBe(201);
    return { ...res.body, scim: new ScimClient(t, tenant.slug, res.body.token) } as { id: string; token: string; scim: ScimClient };
  };
  const adminUser = (id: string) => t.call('GET', `/v1/t/${acme.slug}/users/${id}`, undefined, { auth: acme.admin });

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule, SyncAppModule]);
    acme = await onboard(t, 'scim');
    other = await onboard(t, 'scim-other');
  });
  afterAll(() => t.close());

  describe('directories', () => {
    it('answers 201 with a token shown once and stored as its SHA-256; reads never show it; the event names no secret', async () => {
      const created = await directories('POST', '', { name: 'Okta', group_role_mapping: [{ group: 'Managers', role: 'manager' }] });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: 'Okta',
        group_role_mapping: [{ group: 'Managers', role: 'manager' }],
        scim_base_url: expect.stringMatching(new RegExp(`/v1/t/${acme.slug}/scim/v2$`)),
        created_at: expect.any(String),
        token_rotated_at: expect.any(String),
        token: expect.stringMatching(/^scim_[A-Za-z0-9_-]{43}$/),
      });
      const { token, ...shown } = created.body;
      const [row] = await t.dataSource.query(`SELECT token_hash FROM "${acme.schema}".scim_directories WHERE id = $1`, [shown.id]);
      expect(row.token_hash.equals(createHash('sha256').update(token).digest())).toBe(true);
      expect((await directories('GET', `/${shown.id}`)).body).toEqual(shown);
      const listed = await directories('GET', '?limit=100');
      expect(listed.body.data).toContainEqual(shown);
      expect(JSON.stringify(listed.body)).not.toContain(token);
      const events = await eventsOf(t, acme, 'scim.directory.created');
      expect(events.find((e) => e.data.directory_id === shown.id)?.data).toEqual({ directory_id: shown.id, name: 'Okta' });
    });

    it('rotates the token (the old one stops at once) and deletes the directory (its token stops)', async () => {
      const d = await newDirectory();
      const rotated = await directories('POST', `/${d.id}/rotate-token`);
      expect(rotated.status).toBe(200);
      expect(rotated.body.token).not.toBe(d.token);
      expect((await d.scim.call('GET', '/Users')).status).toBe(401);
      const fresh = new ScimClient(t, acme.slug, rotated.body.token);
      expect((await fresh.call('GET', '/Users')).status).toBe(200);
      expect((await directories('DELETE', `/${d.id}`)).status).toBe(204);
      expect((await fresh.call('GET', '/Users')).status).toBe(401);
      expect((await directories('GET', `/${d.id}`)).body.error.code).toBe('directory.not_found');
    });

    it('stops an old token at once in another process that had kept it (rotation, then deletion)', async () => {
      const b = await startTestApp([AuthAppModule, SyncAppModule]);
      try {
        const d = await newDirectory();
        const atB = (token: string) => new ScimClient(b, acme.slug, token).call('GET', '/Users');
        // b authenticates the token twice: the second from its memory (DirectoryTokenCache).
        expect((await atB(d.token)).status).toBe(200);
        expect((await atB(d.token)).status).toBe(200);
        const rotated = await directories('POST', `/${d.id}/rotate-token`);
        expect(rotated.status).toBe(200);
        // No wait: the rotation answers only after every process's copies are void.
        expect((await atB(d.token)).status).toBe(401);
        expect((await atB(rotated.body.token)).status).toBe(200);
        expect((await atB(rotated.body.token)).status).toBe(200);
        expect((await directories('DELETE', `/${d.id}`)).status).toBe(204);
        expect((await atB(rotated.body.token)).status).toBe(401);
      } finally {
        await b.close();
      }
    });

    it('maps groups only to roles whose Credence permissions the creator holds (no escalation through a directory)', async () => {
      const roles = (body: unknown) => t.call('POST', `/v1/t/${acme.slug}/roles`, body, { auth: acme.admin });
      expect((await roles({ name: 'scim-operator', permissions: ['directory.manage:any'] })).status).toBe(201);
      expect((await roles({ name: 'report-reader', permissions: ['report.view:any'] })).status).toBe(201);
      const operator = await member(t, acme, ['scim-operator']);
      // Its users would be tenant admins: the operator would make themselves one through a user of the directory.
      const refused = await directories('POST', '', { name: 'x', group_role_mapping: [{ group: 'Admins', role: 'tenant_admin' }] }, operator.token);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('authz.access.denied');
      const denials = await eventsOf(t, acme, 'authz.access.denied');
      expect(denials.some((e) => e.data.user_id === operator.id && e.data.reason === 'beyond_own_permissions')).toBe(true);
      // A tier hands out every tier below it, and a refused mapping creates no directory.
      expect((await directories('POST', '', { name: 'x', group_role_mapping: [{ group: 'Staff', role: 'guest' }] }, operator.token)).status).toBe(403);
      expect((await directories('GET', '?limit=100')).body.data.some((d: { name: string }) => d.name === 'x')).toBe(false);
      // Roles of the tenant's own applications, and no mapping at all, are the operator's to give.
      expect((await directories('POST', '', { name: 'y', group_role_mapping: [{ group: 'Readers', role: 'report-reader' }] }, operator.token)).status).toBe(201);
      expect((await directories('POST', '', { name: 'z' }, operator.token)).status).toBe(201);
      expect((await directories('POST', '', { name: 'w', group_role_mapping: [{ group: 'Admins', role: 'tenant_admin' }] })).status).toBe(201);
    });

    it('is for holders of directory.manage:any: a director gets 403, bad input 400', async () => {
      const director = await member(t, acme, ['director']);
      expect((await directories('POST', '', { name: 'x' }, director.token)).status).toBe(403);
      expect((await directories('GET', '', undefined, director.token)).status).toBe(403);
      expect((await directories('POST', '', { name: '' })).status).toBe(400);
      expect((await directories('POST', '', { name: 'x', group_role_mapping: [{ group: 'g', role: 'Not A Role' }] })).status).toBe(400);
      expect((await directories('GET', '/not-a-uuid')).body.error.code).toBe('directory.not_found');
    });
  });

  describe('authentication', () => {
    it("answers a missing, wrong or other tenant's token with 401 in the SCIM error shape", async () => {
      const mine = await newDirectory();
      const theirs = await newDirectory({}, other);
      for (const token of [undefined, 'scim_' + 'x'.repeat(43), theirs.token, acme.admin]) {
        const res = await t.call('GET', `/v1/t/${acme.slug}/scim/v2/Users`, undefined, { auth: token ?? false });
        expect(res.status).toBe(401);
        expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
        expect(res.body).toEqual({ schemas: [ERROR], status: '401', detail: expect.any(String) });
      }
      // The other tenant's token works at its own tenant only, and sees none of acme's users.
      await mine.scim.call('POST', '/Users', entraUser(`${unique('iso')}@acme.example`, 'iso'));
      const theirList = await theirs.scim.call('GET', '/Users');
      expect(theirList.status).toBe(200);
      expect(theirList.body.totalResults).toBe(0);
    });

    it('lets a directory see only the users and groups it provisioned', async () => {
      const a = await newDirectory();
      const b = await newDirectory();
      const created = await a.scim.call('POST', '/Users', entraUser(`${unique('own')}@acme.example`, 'own'));
      expect((await b.scim.call('GET', `/Users/${created.body.id}`)).status).toBe(404);
      expect((await b.scim.call('PATCH', `/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] })).status).toBe(404);
      expect((await b.scim.call('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'x', members: [{ value: created.body.id }] })).body.scimType).toBe('invalidValue');
    });
  });

  describe('Entra ID provisioning sequence', () => {
    it('looks up, creates, reads, patches (string booleans, filtered paths, manager), deactivates and deletes a user', async () => {
      const d = await newDirectory();
      const userName = `${unique('Test_User_')}@contoso.example`;
      const lookup = await d.scim.call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
      expect(lookup.status).toBe(200);
      expect(lookup.body).toEqual({ schemas: [LIST], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });

      const created = await d.scim.call('POST', '/Users', entraUser(userName, '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef'));
      expect(created.status).toBe(201);
      expect(created.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      expect(created.headers.get('location')).toBe(`/v1/t/${acme.slug}/scim/v2/Users/${created.body.id}`);
      expect(created.headers.get('etag')).toBe(created.body.meta.version);
      expect(created.body).toMatchObject({
        userName,
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        active: true,
        name: { givenName: 'givenName', familyName: 'familyName' },
        emails: [{ primary: true, type: 'work', value: userName }],
        meta: { resourceType: 'User' },
      });
      // An ordinary Credence user: e-mail is the userName, made by CreateUserCommand (user.created).
      const user = await adminUser(created.body.id);
      expect(user.body).toMatchObject({ email: userName, status: 'active', attributes: { given_name: 'givenName', family_name: 'familyName' } });
      expect((await eventsOf(t, acme, 'user.created')).some((e) => e.data.user_id === created.body.id)).toBe(true);
      expect((await d.scim.call('POST', '/Users', entraUser(userName.toUpperCase(), 'dup'))).body).toMatchObject({ status: '409', scimType: 'uniqueness' });

      expect((await d.scim.call('GET', `/Users/${created.body.id}`)).body).toEqual(created.body);
      const found = await d.scim.call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}`);
      expect(found.body.totalResults).toBe(1);
      expect(found.body.Resources[0].id).toBe(created.body.id);
      // Entra ID also matches on the work e-mail before creating.
      const byMail = await d.scim.call('GET', `/Users?filter=${encodeURIComponent(`emails[type eq "work"].value eq "${userName}"`)}`);
      expect(byMail.body.Resources.map((r: { id: string }) => r.id)).toEqual([created.body.id]);

      const patched = await d.scim.call('PATCH', `/Users/${created.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', path: 'emails[type eq "work"].value', value: `updated-${userName}` },
          { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
          { op: 'Add', path: `${ENTERPRISE}:manager`, value: 'mgr-1' },
          { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Sales' },
        ],
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ name: { familyName: 'updatedFamilyName' }, [ENTERPRISE]: { manager: { value: 'mgr-1' }, department: 'Sales' } });
      expect(patched.body.emails[0].value).toBe(`updated-${userName}`);
      expect((await adminUser(created.body.id)).body.attributes).toMatchObject({ family_name: 'updatedFamilyName', department: 'Sales', manager_id: 'mgr-1' });
      const removed = await d.scim.call('PATCH', `/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: `${ENTERPRISE}:manager` }] });
      expect(removed.body[ENTERPRISE]).toEqual({ department: 'Sales' });

      const off = await d.scim.call('PATCH', `/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
      expect(off.status).toBe(200);
      expect(off.body.active).toBe(false);
      expect((await adminUser(created.body.id)).body.status).toBe('disabled');
      const on = await d.scim.call('PATCH', `/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] });
      expect(on.body.active).toBe(true);

      expect((await d.scim.call('DELETE', `/Users/${created.body.id}`)).status).toBe(204);
      const gone = await d.scim.call('GET', `/Users/${created.body.id}`);
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({ schemas: [ERROR], status: '404', detail: expect.any(String) });
      expect((await adminUser(created.body.id)).status).toBe(404);
    });

    it('creates a user inactive, and refuses a taken userName or e-mail without writing anything', async () => {
      const d = await newDirectory();
      const userName = `${unique('off')}@contoso.example`;
      const created = await d.scim.call('POST', '/Users', { ...entraUser(userName, 'off'), active: 'False' });
      expect(created.status).toBe(201);
      expect(created.body.active).toBe(false);
      expect((await d.scim.call('GET', `/Users/${created.body.id}`)).body).toEqual(created.body);
      expect((await adminUser(created.body.id)).body.status).toBe('disabled');
      // The events of a create followed by a disable, in that order, in one commit.
      const events = (await eventsOf(t, acme)).filter((e) => e.subject === `user/${created.body.id}`);
      expect(events.map((e) => [e.type, e.data.status])).toEqual([
        ['user.created', 'active'],
        ['user.disabled', 'disabled'],
      ]);

      const count = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM "${acme.schema}".users`))[0].n as number;
      const before = await count();
      // The tenant admin's e-mail: another user has it (not in this directory).
      const adminEmail = (await adminUser(acme.adminId)).body.email as string;
      const taken = await d.scim.call('POST', '/Users', entraUser(adminEmail, 'taken'));
      expect(taken.status).toBe(409);
      expect(taken.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
      const again = await d.scim.call('POST', '/Users', entraUser(userName.toUpperCase(), 'again'));
      expect(again.body).toMatchObject({ status: '409', scimType: 'uniqueness', detail: expect.stringContaining('userName') });
      expect(await count()).toBe(before);
      expect((await d.scim.call('GET', `/Users?filter=${encodeURIComponent('externalId eq "taken"')}`)).body.totalResults).toBe(0);
    });

    it('creates a group, adds and removes members, renames it, and reads it without members', async () => {
      const d = await newDirectory();
      const u = await d.scim.call('POST', '/Users', entraUser(`${unique('g')}@contoso.example`, 'g'));
      const group = await d.scim.call('POST', '/Groups', { schemas: [GROUP_SCHEMA], externalId: '8aa1a0c0', displayName: 'Group1DisplayName', meta: { resourceType: 'Group' } });
      expect(group.status).toBe(201);
      expect(group.body).toMatchObject({ displayName: 'Group1DisplayName', externalId: '8aa1a0c0', members: [] });
      const byName = await d.scim.call('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "group1displayname"')}`);
      expect(byName.body.totalResults).toBe(1);
      expect(byName.body.Resources[0]).not.toHaveProperty('members');
      const path = `/Groups/${group.body.id}`;
      expect(
        (await d.scim.call('PATCH', path, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: u.body.id }] }] })).body.members,
      ).toEqual([expect.objectContaining({ value: u.body.id })]);
      const isMember = await d.scim.call(
        'GET',
        `/Groups?filter=${encodeURIComponent(`id eq "${group.body.id}" and members[value eq "${u.body.id}"]`)}&excludedAttributes=members`,
      );
      expect(isMember.body.totalResults).toBe(1);
      expect((await d.scim.call('GET', `/Users/${u.body.id}`)).body.groups).toEqual([expect.objectContaining({ value: group.body.id, display: 'Group1DisplayName' })]);
      expect(
        (await d.scim.call('PATCH', path, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: u.body.id }] }] })).body.members,
      ).toEqual([]);
      expect((await d.scim.call('PATCH', path, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: 'Renamed' }] })).body.displayName).toBe(
        'Renamed',
      );
      expect((await d.scim.call('DELETE', path)).status).toBe(204);
      expect((await d.scim.call('GET', path)).status).toBe(404);
    });
  });

  describe('Okta provisioning sequence', () => {
    it('looks up with startIndex/count, creates, replaces with PUT, deactivates with a no-path replace; groups by rename and member patches', async () => {
      const d = await newDirectory({ name: 'Okta' });
      const userName = `${unique('test.user')}@okta.local`;
      const lookup = await d.scim.call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`);
      expect(lookup.body.totalResults).toBe(0);
      const created = await d.scim.call('POST', '/Users', oktaUser(userName));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ userName, displayName: 'Test User', externalId: '00ujl29u0le5T6Aj10h7', active: true });
      expect(JSON.stringify(created.body)).not.toContain('1mz050nq');

      const put = await d.scim.call('PUT', `/Users/${created.body.id}`, { ...oktaUser(userName), id: created.body.id, name: { givenName: 'Another', familyName: 'User' } });
      expect(put.status).toBe(200);
      expect(put.body.name).toEqual({ givenName: 'Another', familyName: 'User' });

      const off = await d.scim.call('PATCH', `/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
      expect(off.body.active).toBe(false);
      expect((await adminUser(created.body.id)).body.status).toBe('disabled');

      const second = await d.scim.call('POST', '/Users', oktaUser(`${unique('second')}@okta.local`));
      const group = await d.scim.call('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2', members: [] });
      const path = `/Groups/${group.body.id}`;
      const renamed = await d.scim.call('PATCH', path, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', value: { id: group.body.id, displayName: 'Test SCIMv2 renamed' } }],
      });
      expect(renamed.body.displayName).toBe('Test SCIMv2 renamed');
      const added = await d.scim.call('PATCH', path, {
        schemas: [PATCH_OP],
        Operations: [
          {
            op: 'add',
            path: 'members',
            value: [
              { value: created.body.id, display: userName },
              { value: second.body.id, display: 'second' },
            ],
          },
        ],
      });
      expect(added.body.members.map((m: { value: string }) => m.value).sort()).toEqual([created.body.id, second.body.id].sort());
      const removed = await d.scim.call('PATCH', path, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${created.body.id}"]` }] });
      expect(removed.body.members.map((m: { value: string }) => m.value)).toEqual([second.body.id]);
      const replaced = await d.scim.call('PUT', path, { schemas: [GROUP_SCHEMA], id: group.body.id, displayName: 'Test SCIMv2 renamed', members: [{ value: created.body.id }] });
      expect(replaced.body.members.map((m: { value: string }) => m.value)).toEqual([created.body.id]);
      expect((await d.scim.call('DELETE', path)).status).toBe(204);
    });
  });

  describe('groups feed roles', () => {
    it('gives a mapped role to members, takes it away when they leave, and keeps a role given by hand', async () => {
      const d = await newDirectory({ group_role_mapping: [{ group: 'Managers', role: 'manager' }] });
      const a = await d.scim.call('POST', '/Users', entraUser(`${unique('ra')}@acme.example`, 'ra'));
      const b = await d.scim.call('POST', '/Users', entraUser(`${unique('rb')}@acme.example`, 'rb'));
      expect((await t.call('POST', `/v1/t/${acme.slug}/users/${b.body.id}/roles/manager`, undefined, { auth: acme.admin })).status).toBe(200);
      const group = await d.scim.call('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'managers', members: [{ value: a.body.id }, { value: b.body.id }] });
      expect((await adminUser(a.body.id)).body.roles).toEqual(['manager']);
      const path = `/Groups/${group.body.id}`;
      await d.scim.call('PATCH', path, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${a.body.id}"]` }] });
      expect((await adminUser(a.body.id)).body.roles).toEqual([]);
      await d.scim.call('PATCH', path, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: a.body.id }] }] });
      expect((await adminUser(a.body.id)).body.roles).toEqual(['manager']);
      // A rename away from the mapped name takes the role from the member it gave it to, not from b.
      await d.scim.call('PATCH', path, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Former managers' }] });
      expect((await adminUser(a.body.id)).body.roles).toEqual([]);
      expect((await adminUser(b.body.id)).body.roles).toEqual(['manager']);
      const removedEvents = await eventsOf(t, acme, 'user.role.removed');
      expect(removedEvents.filter((e) => e.data.user_id === a.body.id)).toHaveLength(2);
      expect(removedEvents.filter((e) => e.data.user_id === b.body.id)).toHaveLength(0);
      // Deleting the directory takes away what its groups granted, and only that.
      await d.scim.call('PATCH', path, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Managers' }] });
      expect((await adminUser(a.body.id)).body.roles).toEqual(['manager']);
      expect((await directories('DELETE', `/${d.id}`)).status).toBe(204);
      expect((await adminUser(a.body.id)).body.roles).toEqual([]);
      expect((await adminUser(b.body.id)).body.roles).toEqual(['manager']);
      expect((await adminUser(a.body.id)).body.status).toBe('active');
    });
  });

  describe('versions', () => {
    it('answers 412 to a stale If-Match and changes nothing; the current version or * passes', async () => {
      const d = await newDirectory();
      const u = await d.scim.call('POST', '/Users', entraUser(`${unique('etag')}@acme.example`, 'e'));
      const stale = u.body.meta.version;
      const first = await d.scim.call(
        'PATCH',
        `/Users/${u.body.id}`,
        { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'One' }] },
        { 'if-match': stale },
      );
      expect(first.status).toBe(200);
      expect(first.body.meta.version).not.toBe(stale);
      const refused = await d.scim.call(
        'PATCH',
        `/Users/${u.body.id}`,
        { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Two' }] },
        { 'if-match': stale },
      );
      expect(refused.status).toBe(412);
      expect(refused.body).toEqual({ schemas: [ERROR], status: '412', detail: expect.any(String) });
      expect((await d.scim.call('GET', `/Users/${u.body.id}`)).body.title).toBe('One');
      expect((await d.scim.call('DELETE', `/Users/${u.body.id}`, undefined, { 'if-match': stale })).status).toBe(412);
      expect((await d.scim.call('PUT', `/Users/${u.body.id}`, { ...entraUser(u.body.userName, 'e'), title: 'Three' }, { 'if-match': first.body.meta.version })).status).toBe(200);
      expect((await d.scim.call('PATCH', `/Users/${u.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'title' }] }, { 'if-match': '*' })).status).toBe(200);
    });
  });

  describe('deactivation', () => {
    it("ends the user's sessions and refresh tokens at once", async () => {
      const d = await newDirectory();
      const u = await d.scim.call('POST', '/Users', entraUser(`${unique('leaver')}@acme.example`, 'leaver'));
      expect((await t.call('PATCH', `/v1/t/${acme.slug}/users/${u.body.id}`, { password: PASSWORD }, { auth: acme.admin })).status).toBe(200);
      expect((await t.call('POST', `/v1/t/${acme.slug}/users/${u.body.id}/roles/employee`, undefined, { auth: acme.admin })).status).toBe(200);
      const signIn = await t.call('POST', `/v1/t/${acme.slug}/auth/login`, { email: u.body.userName, password: PASSWORD }, { auth: false });
      expect(signIn.status).toBe(200);
      expect((await t.call('GET', `/v1/t/${acme.slug}/me`, undefined, { auth: signIn.body.access_token })).status).toBe(200);

      await d.scim.call('PATCH', `/Users/${u.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
      expect((await t.call('GET', `/v1/t/${acme.slug}/me`, undefined, { auth: signIn.body.access_token })).status).toBe(401);
      expect((await t.call('POST', `/v1/t/${acme.slug}/auth/token/refresh`, { refresh_token: signIn.body.refresh_token }, { auth: false })).status).toBe(401);
      await expect(login(t, acme.slug, u.body.userName)).rejects.toThrow();
    });
  });

  describe('lists', () => {
    it('filters, sorts and pages', async () => {
      const d = await newDirectory();
      const names = ['carol', 'alice', 'bob'].map((x) => `${x}-${unique('l')}@list.example`);
      for (const name of names) await d.scim.call('POST', '/Users', { ...entraUser(name, name), title: name.startsWith('bob') ? undefined : 'Engineer' });
      const sorted = await d.scim.call('GET', '/Users?sortBy=userName&sortOrder=descending');
      expect(sorted.body.Resources.map((r: { userName: string }) => r.userName)).toEqual([...names].sort().reverse());
      const page = await d.scim.call('GET', '/Users?startIndex=2&count=1');
      expect(page.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
      const f = encodeURIComponent('title pr and not (userName sw "carol")');
      const filtered = await d.scim.call('GET', `/Users?filter=${f}`);
      expect(filtered.body.Resources.map((r: { userName: string }) => r.userName)).toEqual([names[1]]);
      const attrs = await d.scim.call('GET', '/Users?attributes=userName&count=1');
      expect(Object.keys(attrs.body.Resources[0]).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    });

    it('serves ServiceProviderConfig, ResourceTypes and Schemas', async () => {
      const d = await newDirectory();
      const config = await d.scim.call('GET', '/ServiceProviderConfig');
      expect(config.body).toMatchObject({
        patch: { supported: true },
        filter: { supported: true },
        sort: { supported: true },
        etag: { supported: true },
        bulk: { supported: false },
      });
      const types = await d.scim.call('GET', '/ResourceTypes');
      expect(types.body.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
      const schemas = await d.scim.call('GET', '/Schemas');
      expect(schemas.body.Resources.map((r: { id: string }) => r.id)).toContain(ENTERPRISE);
      expect((await d.scim.call('GET', `/Schemas/${ENTERPRISE}`)).body.name).toBe('EnterpriseUser');
    });
  });

  describe('hostile input', () => {
    it('answers 400 in the SCIM shape, never 500', async () => {
      const d = await newDirectory();
      const cases: [string, string, unknown, number, string | undefined][] = [
        ['GET', `/Users?filter=${encodeURIComponent('userName eq')}`, undefined, 400, 'invalidFilter'],
        ['GET', `/Users?filter=${encodeURIComponent('password eq "x"')}`, undefined, 400, 'invalidFilter'],
        ['GET', `/Users?filter=${encodeURIComponent('('.repeat(3000) + 'title pr' + ')'.repeat(3000))}`, undefined, 400, 'invalidFilter'],
        ['GET', `/Users?filter=${encodeURIComponent('userName eq "\u0000"')}`, undefined, 400, 'invalidValue'],
        ['GET', '/Users?startIndex=abc', undefined, 400, 'invalidValue'],
        ['GET', '/Users?sortBy=password', undefined, 400, 'invalidValue'],
        ['POST', '/Users', entraUser('nul\u0000@acme.example', 'n'), 400, 'invalidValue'],
        ['POST', '/Users', { ...entraUser(`${unique('big')}@acme.example`, 'b'), displayName: 'x'.repeat(5000) }, 400, 'invalidValue'],
        ['POST', '/Users', { schemas: [], userName: 'no email at all' }, 400, 'invalidValue'],
        ['POST', '/Users', { userName: 42 }, 400, 'invalidValue'],
        ['POST', '/Users', { userName: 'a@b.example', active: 'perhaps' }, 400, 'invalidValue'],
        ['POST', '/Users', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]', 400, 'invalidSyntax'],
        ['POST', '/Users', '{"userName": ', 400, 'invalidSyntax'],
        ['POST', '/Groups', { displayName: 'g', members: [{ value: '00000000-0000-0000-0000-000000000000' }] }, 400, 'invalidValue'],
        ['POST', '/Groups', { displayName: {} }, 400, 'invalidValue'],
        ['GET', '/Users/%00', undefined, 400, 'invalidValue'],
        ['GET', '/Users/not-a-uuid', undefined, 404, undefined],
      ];
      for (const [method, path, body, status, scimType] of cases) {
        const res = await d.scim.call(method, path, body);
        expect({ path: path.slice(0, 60), status: res.status, scimType: res.body?.scimType }).toEqual({ path: path.slice(0, 60), status, scimType });
        expect(res.body.schemas).toEqual([ERROR]);
      }
      const huge = await d.scim.call('POST', '/Users', { ...entraUser('h@acme.example', 'h'), junk: 'x'.repeat(2_000_000) });
      expect(huge.status).toBe(413);
      const text = await t.call('POST', `/v1/t/${acme.slug}/scim/v2/Users`, 'userName=x', { auth: d.token, headers: { 'content-type': 'text/plain' } });
      expect(text.status).toBe(415);
      expect(text.body.schemas).toEqual([ERROR]);
    });
  });
});
