/**
 * The five default tiers seeded into every new tenant. A role includes every permission of the
 * roles ranked below it; `permissions` lists only what the tier adds.
 * Permission format: `resource.action:scope` (scope: self, department, any).
 */
export const DEFAULT_ROLES = [
  { name: 'guest', rank: 10, description: 'Signed in, sees only their own profile.', permissions: ['profile.read:self'] },
  {
    name: 'employee',
    rank: 20,
    description: 'Manages their own profile and sessions.',
    permissions: ['profile.update:self', 'session.read:self', 'session.revoke:self'],
  },
  {
    name: 'manager',
    rank: 30,
    description: 'Sees the users and sessions of their own department.',
    permissions: ['user.read:department', 'session.read:department'],
  },
  {
    name: 'director',
    rank: 40,
    description: 'Sees every user and session of the tenant and its audit trail.',
    permissions: ['user.read:any', 'session.read:any', 'audit.read:any'],
  },
  {
    name: 'tenant_admin',
    rank: 50,
    description: 'Administers the tenant.',
    permissions: [
      'user.create:any',
      'user.update:any',
      'user.reset_password:any',
      'user.delete:any',
      'role.manage:any',
      'session.revoke:any',
      'audit.read_personal:any',
      'settings.manage:any',
      'idp.manage:any',
      'key.rotate:any',
      'service_credential.manage:any',
      'permission.check:any',
      'user.erase:any',
      'event.read:any',
      'app.manage:any',
      'webhook.manage:any',
      'sync.write:any',
      'sync.manage:any',
      'directory.manage:any',
    ],
  },
] as const;

export type DefaultRoleName = (typeof DEFAULT_ROLES)[number]['name'];
