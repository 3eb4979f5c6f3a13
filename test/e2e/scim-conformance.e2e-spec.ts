import { Client } from 'pg';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { SyncAppModule } from '../../apps/sync/src/sync-app.module';
import { onboard, Tenant } from './identity-authz-fixture';
import { ENTERPRISE, entraUser, GROUP_SCHEMA, PATCH_OP, ScimClient } from './scim-client';

/**
 * What Entra ID's and Okta's provisioning send beyond the sequences of scim.e2e-spec.ts: Entra ID's
 * default attribute mappings (phone numbers, addresses, `emails[type eq "other"].Value`), and
 * membership patches on large groups.
 */
describe('SCIM 2.0 as provisioning clients send it', () => {
  let t: TestApp;
  let acme: Tenant;
  let n = 0;
  const unique = (prefix: string) => `${prefix}${(n += 1)}-${Date.now().toString(36)}`;
  const newDirectory = async (body: Record<string, unknown> = {}) => {
    const res = await t.call('POST', `/v1/t/${acme.slug}/directories`, { name: 'Entra ID', ...body }, { auth: acme.admin });
    expect(res.status).toBe(201);
    return { ...res.body, scim: new ScimClient(t, acme.slug, res.body.token) } as { id: string; token: string; scim: ScimClient };
  };
  const adminUser = (id: string) => t.call('GET', `/v1/t/${acme.slug}/users/${id}`, undefined, { auth: acme.admin });

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule, SyncAppModule]);
    acme = await onboard(t, 'scim-conf');
  });
  afterAll(() => t.close());

  describe("Entra ID's default attribute mappings", () => {
    it('takes a PATCH that also names attributes Credence does not keep (phoneNumbers, addresses, preferredLanguage), as POST and PUT do', async () => {
      const d = await newDirectory();
      const u = await d.scim.call('POST', '/Users', { ...entraUser(`${unique('phone')}@acme.example`, 'phone'), phoneNumbers: [{ type: 'work', value: '+1 555 0100' }] });
      expect(u.status).toBe(201);
      const patched = await d.scim.call('PATCH', `/Users/${u.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0101' },
          { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0102' },
          { op: 'Add', path: 'addresses[type eq "work"].postalCode', value: '98052' },
          { op: 'Add', path: 'preferredLanguage', value: 'en-US' },
          { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Sales' },
        ],
      });
      expect(patched.status).toBe(200);
      expect(patched.body[ENTERPRISE]).toEqual({ department: 'Sales' });
      expect(patched.body).not.toHaveProperty('phoneNumbers');
      expect((await adminUser(u.body.id)).body.attributes).toMatchObject({ department: 'Sales' });
      const noPath = await d.scim.call('PATCH', `/Users/${u.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { phoneNumbers: [], title: 'Lead' } }] });
      expect(noPath.status).toBe(200);
      expect(noPath.body.title).toBe('Lead');
      // An attribute no SCIM schema has is still invalidPath.
      expect((await d.scim.call('PATCH', `/Users/${u.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'shoeSize', value: '9' }] })).body.scimType).toBe(
        'invalidPath',
      );
    });

    it('reads sub-attribute names case-insensitively: emails[type eq "other"].Value adds an e-mail', async () => {
      const d = await newDirectory();
      const userName = `${unique('other')}@acme.example`;
      const u = await d.scim.call('POST', '/Users', { ...entraUser(userName, 'other'), emails: [{ Primary: true, Type: 'work', Value: userName }] });
      expect(u.status).toBe(201);
      expect(u.body.emails).toEqual([{ primary: true, type: 'work', value: userName }]);
      const patched = await d.scim.call('PATCH', `/Users/${u.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', path: 'emails[type eq "other"].Value', value: `alias-${userName}` }],
      });
      expect(patched.status).toBe(200);
      expect(patched.body.emails).toEqual([
        { primary: true, type: 'work', value: userName },
        { type: 'other', value: `alias-${userName}` },
      ]);
    });
  });

  describe('filters', () => {
    it('matches emails[type eq "work"].value eq "x" on the work e-mail only, not on another item of the same user (Entra ID\'s mail matching)', async () => {
      const d = await newDirectory();
      const [a, b] = [`${unique('fa')}@acme.example`, `${unique('fb')}@acme.example`];
      const ua = await d.scim.call('POST', '/Users', {
        ...entraUser(a, 'fa'),
        emails: [
          { primary: true, type: 'work', value: a },
          { type: 'other', value: b },
        ],
      });
      const ub = await d.scim.call('POST', '/Users', entraUser(b, 'fb'));
      const ids = async (filter: string) => (await d.scim.call('GET', `/Users?filter=${encodeURIComponent(filter)}`)).body.Resources.map((r: { id: string }) => r.id);
      expect(await ids(`emails[type eq "work"].value eq "${b}"`)).toEqual([ub.body.id]);
      expect(await ids(`emails[type eq "other"].value eq "${b}" and userName pr`)).toEqual([ua.body.id]);
      expect(await ids(`emails[type eq "work"].value eq "${a}" or emails[type eq "work"].value eq "${b}"`)).toEqual([ua.body.id, ub.body.id]);
    });
  });

  describe('large groups', () => {
    /** Statements about group roles the process sends to Postgres while `run` runs. */
    async function roleStatements(run: () => Promise<unknown>): Promise<number> {
      const spy = jest.spyOn(Client.prototype, 'query');
      try {
        await run();
        return spy.mock.calls.filter(([q]) => String(typeof q === 'string' ? q : (q as { text?: string })?.text).includes('scim_role_grants')).length;
      } finally {
        spy.mockRestore();
      }
    }

    it("recomputes the roles of the members a patch adds or removes, not of every member (Okta's one patch per change)", async () => {
      const d = await newDirectory({ group_role_mapping: [{ group: 'Managers', role: 'manager' }] });
      const ids: string[] = [];
      await Promise.all(
        Array.from({ length: 4 }, async (_, w) => {
          for (let i = w; i < 200; i += 4) ids.push((await d.scim.call('POST', '/Users', entraUser(`${unique('m')}@acme.example`, `m${i}`))).body.id);
        }),
      );
      const [first, last, ...rest] = ids;
      const group = await d.scim.call('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Managers', members: [first, ...rest].map((value) => ({ value })) });
      expect(group.status).toBe(201);
      const path = `/Groups/${group.body.id}`;
      let added: { status: number; body: { members: unknown[] } } | undefined;
      const addStatements = await roleStatements(async () => {
        added = await d.scim.call('PATCH', path, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: last }] }] });
      });
      expect(added!.status).toBe(200);
      expect(added!.body.members).toHaveLength(200);
      expect(addStatements).toBeLessThan(10);
      expect((await adminUser(last)).body.roles).toEqual(['manager']);
      const removeStatements = await roleStatements(() =>
        d.scim.call('PATCH', path, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${first}"]` }] }),
      );
      expect(removeStatements).toBeLessThan(10);
      expect((await adminUser(first)).body.roles).toEqual([]);
      expect((await adminUser(rest[0])).body.roles).toEqual(['manager']);
      // A group no mapping names changes nobody's roles, whatever its size.
      const staff = await d.scim.call('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Staff', members: [] });
      expect(
        await roleStatements(() =>
          d.scim.call('PATCH', `/Groups/${staff.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] }),
        ),
      ).toBe(0);
      expect(await roleStatements(() => d.scim.call('DELETE', `/Groups/${staff.body.id}`))).toBe(0);
      // A rename out of the mapping still reaches every member.
      await d.scim.call('PATCH', path, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Former managers' }] });
      expect((await adminUser(rest[0])).body.roles).toEqual([]);
      expect((await adminUser(last)).body.roles).toEqual([]);
    }, 120_000);
  });
});
