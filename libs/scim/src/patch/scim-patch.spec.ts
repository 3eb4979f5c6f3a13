import { DomainError } from '@credence/errors';
import { GROUP_ATTRIBUTES } from '../groups/group-resource';
import { USER_ATTRIBUTES, userInputFrom } from '../users/user-resource';
import { applyPatch } from './scim-patch';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const user = () => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: 'u1',
  userName: 'ada@example.com',
  active: true,
  name: { givenName: 'Ada', familyName: 'King' },
  emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
});
const patchUser = (...ops: object[]) => applyPatch(user(), { schemas: [PATCH], Operations: ops }, USER_ATTRIBUTES);
const codeOf = (work: () => unknown) => {
  try {
    work();
  } catch (err) {
    return err instanceof DomainError ? err.code : String(err);
  }
  return 'accepted';
};

describe('SCIM PATCH (RFC 7644 §3.5.2) with the quirks of real clients', () => {
  it('takes Entra ID\'s "Replace" with the string boolean "False" (read as false)', () => {
    const patched = patchUser({ op: 'Replace', path: 'active', value: 'False' });
    expect(userInputFrom(patched).active).toBe(false);
  });

  it('takes a no-path replace with an object of dotted, URN and filtered paths (Okta, Entra ID)', () => {
    const patched = patchUser({
      op: 'replace',
      value: { active: false, 'name.familyName': 'Lovelace', [`${ENTERPRISE}:department`]: 'Math', 'emails[type eq "work"].value': 'ada@lovelace.example' },
    });
    expect(patched).toMatchObject({ active: false, name: { givenName: 'Ada', familyName: 'Lovelace' }, [ENTERPRISE]: { department: 'Math' } });
    expect(patched.emails).toEqual([{ value: 'ada@lovelace.example', type: 'work', primary: true }]);
  });

  it('replaces a filtered sub-attribute, adding the item when none matches', () => {
    expect(patchUser({ op: 'replace', path: 'emails[type eq "home"].value', value: 'a@home.example' }).emails).toEqual([
      { value: 'ada@example.com', type: 'work', primary: true },
      { type: 'home', value: 'a@home.example' },
    ]);
  });

  it('adds and removes the Entra ID manager (a bare id string) and removes attributes', () => {
    const added = patchUser({ op: 'Add', path: `${ENTERPRISE}:manager`, value: 'm-1' });
    expect(userInputFrom(added).attributes.manager_id).toBe('m-1');
    const removed = applyPatch(added, { schemas: [PATCH], Operations: [{ op: 'Remove', path: `${ENTERPRISE}:manager` }] }, USER_ATTRIBUTES);
    expect(userInputFrom(removed).attributes.manager_id).toBeNull();
    expect(patchUser({ op: 'remove', path: 'name.givenName' }).name).toEqual({ familyName: 'King' });
  });

  it('adds and removes group members as Okta and Entra ID send them', () => {
    const group = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id: 'g1', displayName: 'Eng', members: [{ value: 'a' }] };
    const ops = (...o: object[]) => ({ schemas: [PATCH], Operations: o });
    const added = applyPatch(group, ops({ op: 'add', path: 'members', value: [{ value: 'b', display: 'b' }, { value: 'a' }] }), GROUP_ATTRIBUTES);
    expect((added.members as { value: string }[]).map((m) => m.value)).toEqual(['a', 'b']);
    expect(applyPatch(added, ops({ op: 'remove', path: 'members[value eq "a"]' }), GROUP_ATTRIBUTES).members).toEqual([{ value: 'b', display: 'b' }]);
    expect(applyPatch(added, ops({ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'b' }] }), GROUP_ATTRIBUTES).members).toEqual([{ value: 'a' }]);
    // Okta renames with the group's own id in the value.
    expect(applyPatch(group, ops({ op: 'replace', value: { id: 'g1', displayName: 'Engineering' } }), GROUP_ATTRIBUTES).displayName).toBe('Engineering');
  });

  it.each([
    [{ schemas: ['x'], Operations: [] }, 'scim.invalid_syntax'],
    [{ schemas: [PATCH], Operations: [{ op: 'move', path: 'active' }] }, 'scim.invalid_syntax'],
    [{ schemas: [PATCH], Operations: [{ op: 'replace', path: 'id', value: 'other' }] }, 'scim.mutability'],
    [{ schemas: [PATCH], Operations: [{ op: 'replace', path: 'password', value: 'x' }] }, 'scim.invalid_path'],
    [{ schemas: [PATCH], Operations: [{ op: 'replace', path: 'emails[type eq', value: 'x' }] }, 'scim.invalid_path'],
    [{ schemas: [PATCH], Operations: [{ op: 'replace', path: 'emails[type zz "work"].value', value: 'x' }] }, 'scim.invalid_filter'],
    [{ schemas: [PATCH], Operations: [{ op: 'remove' }] }, 'scim.no_target'],
    [{ schemas: [PATCH], Operations: [{ op: 'replace', value: 'x' }] }, 'scim.invalid_value'],
  ])('refuses %j', (body, code) => expect(codeOf(() => applyPatch(user(), body, USER_ATTRIBUTES))).toBe(code));
});
