import { decide, Grant, grantFrom, Subject } from './access-decision';
import { parsePermission, PERMISSION_PATTERN } from './permission';

const subject = (permissions: string[], attributes: Record<string, unknown> = {}, status: Subject['status'] = 'active'): Subject => ({
  userId: 'me',
  status,
  attributes,
  grants: permissions.map((p) => grantFrom(p, 'r')).filter((g): g is Grant => !!g),
});

describe('permissions', () => {
  it('parses resource.action:scope', () => {
    expect(parsePermission('session.revoke:self')).toEqual({ resource: 'session', action: 'revoke', scope: 'self' });
    expect(parsePermission('audit.read_personal:any')).toEqual({ resource: 'audit', action: 'read_personal', scope: 'any' });
  });

  it.each(['user.read', 'user:any', 'user.read:team', 'User.read:any', 'user.read:any:self', 'user..read:any', ''])('refuses %j', (p) => {
    expect(PERMISSION_PATTERN.test(p)).toBe(false);
    expect(parsePermission(p)).toBeUndefined();
  });
});

describe('decide', () => {
  it('allows :any without a target and names the permission', () => {
    expect(decide(subject(['user.read:any']), 'user', 'read', undefined)).toMatchObject({ allowed: true, reason: 'granted', permission: 'user.read:any' });
  });

  it('needs a target for a conditional grant, unless the route narrows', () => {
    expect(decide(subject(['user.read:self']), 'user', 'read', undefined)).toMatchObject({ allowed: false, reason: 'target_required' });
    expect(decide(subject(['user.read:self']), 'user', 'read', undefined, true)).toMatchObject({ allowed: true, scopes: ['self'] });
  });

  it('holds :self to the owner', () => {
    expect(decide(subject(['user.read:self']), 'user', 'read', { userId: 'me' }).allowed).toBe(true);
    expect(decide(subject(['user.read:self']), 'user', 'read', { userId: 'you' })).toMatchObject({ allowed: false, reason: 'not_own_record' });
  });

  it('holds :department to equal, non-empty string values', () => {
    const mgr = subject(['user.read:department'], { department: 'eng' });
    expect(decide(mgr, 'user', 'read', { attributes: { department: 'eng' } }).allowed).toBe(true);
    expect(decide(mgr, 'user', 'read', { attributes: { department: 'ops' } })).toMatchObject({ allowed: false, reason: 'department_mismatch' });
    expect(decide(mgr, 'user', 'read', { attributes: {} }).allowed).toBe(false);
    expect(decide(subject(['user.read:department'], { department: '' }), 'user', 'read', { attributes: { department: '' } }).allowed).toBe(false);
    expect(decide(subject(['user.read:department'], { department: 5 }), 'user', 'read', { attributes: { department: 5 } }).allowed).toBe(false);
  });

  it('allows when any one grant applies, and says conditions_not_met when several kinds fail', () => {
    const both = subject(['user.read:self', 'user.read:department'], { department: 'eng' });
    expect(decide(both, 'user', 'read', { userId: 'you', attributes: { department: 'eng' } })).toMatchObject({ allowed: true, permission: 'user.read:department' });
    expect(decide(both, 'user', 'read', { userId: 'you', attributes: { department: 'ops' } })).toMatchObject({ allowed: false, reason: 'conditions_not_met' });
  });

  it('refuses unknown, inactive and unpermitted subjects', () => {
    expect(decide(null, 'user', 'read', undefined)).toMatchObject({ allowed: false, reason: 'user_not_found' });
    expect(decide(subject(['user.read:any'], {}, 'disabled'), 'user', 'read', undefined)).toMatchObject({ allowed: false, reason: 'user_inactive' });
    expect(decide(subject(['user.read:any']), 'user', 'update', undefined)).toMatchObject({ allowed: false, reason: 'no_permission' });
  });
});
