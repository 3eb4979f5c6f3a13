import { createHash } from 'node:crypto';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { onboard, Tenant } from './identity-authz-fixture';

/**
 * Bad input on every users, roles and authorization route, sent by a tenant admin who may do
 * everything: the documented status and code in the error envelope, the field named, and nothing
 * changed (users, roles, assignments, password history, outbox).
 */

interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  status: number;
  code: string;
  field?: string;
}

const UNKNOWN_ID = '0190b0a0-0000-7000-8000-000000000000';
const bad = (name: string, method: Case['method'], path: string, body: unknown, field?: string): Case => ({
  name,
  method,
  path,
  body,
  status: 400,
  code: 'validation.failed',
  field,
});
const notFound = (name: string, method: Case['method'], path: string, code: string, body?: unknown): Case => ({ name, method, path, body, status: 404, code });

describe('users, roles and authorization: bad input', () => {
  let t: TestApp;
  let acme: Tenant;
  let userId: string;
  const cases: Case[] = [];

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '100000' });
    acme = await onboard(t, 'badin');
    const created = await t.call('POST', `/v1/t/${acme.slug}/users`, { email: 'someone@badin.example', attributes: { department: 'eng' } }, { auth: acme.admin });
    userId = created.body.id;
  });
  afterAll(() => t.close());

  const U = () => `/v1/t/${acme.slug}/users`;
  const R = () => `/v1/t/${acme.slug}/roles`;
  const user = (over: Record<string, unknown>) => ({ email: 'new@badin.example', ...over });
  const role = (over: Record<string, unknown>) => ({ name: 'newrole', permissions: ['user.read:any'], ...over });
  const question = (over: Record<string, unknown>) => ({ resource: 'user', action: 'read', ...over });

  const table = (): Case[] => [
    // POST /users
    bad('create: empty body', 'POST', U(), {}, 'email'),
    bad('create: email not an e-mail', 'POST', U(), user({ email: 'not-an-email' }), 'email'),
    bad('create: email a number', 'POST', U(), user({ email: 42 }), 'email'),
    bad('create: email null', 'POST', U(), user({ email: null }), 'email'),
    bad('create: email too long', 'POST', U(), user({ email: `${'a'.repeat(250)}@x.example` }), 'email'),
    bad('create: username with spaces', 'POST', U(), user({ username: 'two words' }), 'username'),
    bad('create: username null', 'POST', U(), user({ username: null }), 'username'),
    bad('create: display_name empty', 'POST', U(), user({ display_name: '  ' }), 'display_name'),
    bad('create: phone not E.164', 'POST', U(), user({ phone: '555-0100' }), 'phone'),
    bad('create: password a number', 'POST', U(), user({ password: 123456789012345 }), 'password'),
    bad('create: password empty', 'POST', U(), user({ password: '' }), 'password'),
    bad('create: password too long', 'POST', U(), user({ password: 'x'.repeat(257) }), 'password'),
    bad('create: attributes an array', 'POST', U(), user({ attributes: ['eng'] }), 'attributes'),
    bad('create: attributes nested', 'POST', U(), user({ attributes: { department: { name: 'eng' } } }), 'attributes'),
    bad('create: attributes with a bad key', 'POST', U(), user({ attributes: { 'bad key': 'x' } }), 'attributes'),
    bad('create: attributes null value', 'POST', U(), user({ attributes: { department: null } }), 'attributes'),
    bad('create: too many attributes', 'POST', U(), user({ attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }), 'attributes'),
    bad('create: status smuggled in', 'POST', U(), user({ status: 'disabled' }), 'status'),
    bad('create: roles smuggled in', 'POST', U(), user({ roles: ['tenant_admin'] }), 'roles'),
    bad('create: id smuggled in', 'POST', U(), user({ id: UNKNOWN_ID }), 'id'),
    bad('create: body an array', 'POST', U(), [user({})]),
    bad('create: body null', 'POST', U(), null),
    { name: 'create: malformed JSON', method: 'POST', path: U(), body: '{"email": ', status: 400, code: 'request.malformed' },
    // GET /users
    bad('list: limit 0', 'GET', `${U()}?limit=0`, undefined, 'limit'),
    bad('list: limit 101', 'GET', `${U()}?limit=101`, undefined, 'limit'),
    bad('list: limit not a number', 'GET', `${U()}?limit=ten`, undefined, 'limit'),
    bad('list: cursor with bad characters', 'GET', `${U()}?cursor=*`, undefined, 'cursor'),
    bad('list: cursor not one we issued', 'GET', `${U()}?cursor=${Buffer.from('nope').toString('base64url')}`, undefined, 'cursor'),
    bad('list: unknown status', 'GET', `${U()}?status=deleted`, undefined, 'status'),
    bad('list: bad role name', 'GET', `${U()}?role=Not%20A%20Role`, undefined, 'role'),
    bad('list: empty text', 'GET', `${U()}?q=`, undefined, 'q'),
    bad('list: text too long', 'GET', `${U()}?q=${'x'.repeat(101)}`, undefined, 'q'),
    bad('list: unknown parameter', 'GET', `${U()}?sort=email`, undefined, 'sort'),
    // /users/:id
    notFound('get: id not a UUID', 'GET', `${U()}/not-a-uuid`, 'user.not_found'),
    notFound('get: unknown id', 'GET', `${U()}/${UNKNOWN_ID}`, 'user.not_found'),
    bad('update: email null', 'PATCH', `${U()}/{id}`, { email: null }, 'email'),
    bad('update: email bad', 'PATCH', `${U()}/{id}`, { email: 'nope' }, 'email'),
    bad('update: password null', 'PATCH', `${U()}/{id}`, { password: null }, 'password'),
    bad('update: attributes nested', 'PATCH', `${U()}/{id}`, { attributes: { department: ['eng'] } }, 'attributes'),
    bad('update: status smuggled in', 'PATCH', `${U()}/{id}`, { status: 'disabled' }, 'status'),
    bad('update: body an array', 'PATCH', `${U()}/{id}`, [{ display_name: 'x' }]),
    {
      name: 'update: password too short for the tenant',
      method: 'PATCH',
      path: `${U()}/{id}`,
      body: { password: 'short one' },
      status: 400,
      code: 'user.password_rejected',
      field: 'password',
    },
    {
      name: 'update: common password',
      method: 'PATCH',
      path: `${U()}/{id}`,
      body: { password: 'qwerty123456789' },
      status: 400,
      code: 'user.password_rejected',
      field: 'password',
    },
    notFound('update: id not a UUID', 'PATCH', `${U()}/1`, 'user.not_found', { display_name: 'x' }),
    notFound('update: unknown id', 'PATCH', `${U()}/${UNKNOWN_ID}`, 'user.not_found', { display_name: 'x' }),
    notFound('disable: id not a UUID', 'POST', `${U()}/x/disable`, 'user.not_found'),
    notFound('disable: unknown id', 'POST', `${U()}/${UNKNOWN_ID}/disable`, 'user.not_found'),
    notFound('enable: unknown id', 'POST', `${U()}/${UNKNOWN_ID}/enable`, 'user.not_found'),
    notFound('delete: id not a UUID', 'DELETE', `${U()}/x`, 'user.not_found'),
    notFound('delete: unknown id', 'DELETE', `${U()}/${UNKNOWN_ID}`, 'user.not_found'),
    notFound('assign: role name not a name', 'POST', `${U()}/{id}/roles/Tenant%20Admin`, 'role.not_found'),
    notFound('assign: unknown role', 'POST', `${U()}/{id}/roles/nonexistent`, 'role.not_found'),
    notFound('assign: unknown role id', 'POST', `${U()}/{id}/roles/${UNKNOWN_ID}`, 'role.not_found'),
    notFound('assign: unknown user', 'POST', `${U()}/${UNKNOWN_ID}/roles/guest`, 'user.not_found'),
    notFound('unassign: unknown role', 'DELETE', `${U()}/{id}/roles/nonexistent`, 'role.not_found'),
    notFound('unassign: user id not a UUID', 'DELETE', `${U()}/x/roles/guest`, 'user.not_found'),
    // /roles
    bad('role create: empty body', 'POST', R(), {}, 'name'),
    bad('role create: capitalised name', 'POST', R(), role({ name: 'Admins' }), 'name'),
    bad('role create: UUID as name', 'POST', R(), role({ name: 'abcdef01-0000-4000-8000-000000000000' }), 'name'),
    bad('role create: no permissions', 'POST', R(), { name: 'newrole' }, 'permissions'),
    bad('role create: permissions a string', 'POST', R(), role({ permissions: 'user.read:any' }), 'permissions'),
    bad('role create: permission without scope', 'POST', R(), role({ permissions: ['user.read'] }), 'permissions'),
    bad('role create: unknown scope', 'POST', R(), role({ permissions: ['user.read:team'] }), 'permissions'),
    bad('role create: permission a number', 'POST', R(), role({ permissions: [7] }), 'permissions'),
    bad('role create: duplicate permissions', 'POST', R(), role({ permissions: ['user.read:any', 'user.read:any'] }), 'permissions'),
    bad('role create: too many permissions', 'POST', R(), role({ permissions: Array.from({ length: 201 }, (_, i) => `r${i}.read:any`) }), 'permissions'),
    bad('role create: description too long', 'POST', R(), role({ description: 'x'.repeat(501) }), 'description'),
    bad('role create: rank smuggled in', 'POST', R(), role({ rank: 60 }), 'rank'),
    bad('role create: builtin smuggled in', 'POST', R(), role({ builtin: true }), 'builtin'),
    bad('role list: limit 0', 'GET', `${R()}?limit=0`, undefined, 'limit'),
    notFound('role get: not a name', 'GET', `${R()}/Bad%20Name`, 'role.not_found'),
    notFound('role get: unknown', 'GET', `${R()}/nonexistent`, 'role.not_found'),
    bad('role update: bad name', 'PATCH', `${R()}/manager`, { name: 'Managers' }, 'name'),
    bad('role update: bad permission', 'PATCH', `${R()}/manager`, { permissions: ['user'] }, 'permissions'),
    bad('role update: rank smuggled in', 'PATCH', `${R()}/manager`, { rank: 1 }, 'rank'),
    bad('role update: name null', 'PATCH', `${R()}/manager`, { name: null }, 'name'),
    notFound('role update: unknown', 'PATCH', `${R()}/nonexistent`, 'role.not_found', { description: 'x' }),
    notFound('role delete: unknown', 'DELETE', `${R()}/nonexistent`, 'role.not_found'),
    notFound('role delete: unknown id', 'DELETE', `${R()}/${UNKNOWN_ID}`, 'role.not_found'),
    // check-access, permissions/check
    bad('check-access: empty body', 'POST', `/v1/t/${acme.slug}/auth/check-access`, {}, 'resource'),
    bad('check-access: resource capitalised', 'POST', `/v1/t/${acme.slug}/auth/check-access`, question({ resource: 'User' }), 'resource'),
    bad('check-access: action a number', 'POST', `/v1/t/${acme.slug}/auth/check-access`, question({ action: 1 }), 'action'),
    bad('check-access: context a string', 'POST', `/v1/t/${acme.slug}/auth/check-access`, question({ context: 'mine' }), 'context'),
    bad('check-access: context.user_id not a UUID', 'POST', `/v1/t/${acme.slug}/auth/check-access`, question({ context: { user_id: 'me' } }), 'context.user_id'),
    bad('check-access: context.attributes nested', 'POST', `/v1/t/${acme.slug}/auth/check-access`, question({ context: { attributes: { a: { b: 1 } } } }), 'context.attributes'),
    bad('check-access: unknown field in context', 'POST', `/v1/t/${acme.slug}/auth/check-access`, question({ context: { owner: 'x' } }), 'context.owner'),
    bad('check-access: user_id smuggled in', 'POST', `/v1/t/${acme.slug}/auth/check-access`, question({ user_id: UNKNOWN_ID }), 'user_id'),
    bad('permissions/check: no user_id', 'POST', `/v1/t/${acme.slug}/permissions/check`, question({}), 'user_id'),
    bad('permissions/check: user_id not a UUID', 'POST', `/v1/t/${acme.slug}/permissions/check`, question({ user_id: 'someone' }), 'user_id'),
    bad('permissions/check: permission as resource', 'POST', `/v1/t/${acme.slug}/permissions/check`, question({ user_id: UNKNOWN_ID, resource: 'user.read:any' }), 'resource'),
  ];

  /** Everything these routes could change, as one digest. */
  const state = async (): Promise<string> => {
    const s = `"${acme.schema}"`;
    const rows = await Promise.all([
      t.dataSource.query(`SELECT id, email, username, display_name, phone, status, attributes, password_hash, updated_at FROM ${s}.users ORDER BY id`),
      t.dataSource.query(`SELECT id, name, description, permissions, updated_at FROM ${s}.roles ORDER BY id`),
      t.dataSource.query(`SELECT user_id, role_id FROM ${s}.user_roles ORDER BY user_id, role_id`),
      t.dataSource.query(`SELECT user_id, password_hash FROM ${s}.password_history ORDER BY user_id, password_hash`),
      t.dataSource.query(`SELECT count(*)::int AS n FROM platform.outbox WHERE tenant_id = $1`, [acme.id]),
    ]);
    return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
  };

  it('answers each bad request with its error envelope and changes nothing', async () => {
    cases.push(...table());
    const before = await state();
    const failures: string[] = [];
    for (const c of cases) {
      const path = c.path.replace('{id}', userId);
      const res = await t.call(c.method, path, c.body, { auth: acme.admin });
      const err = res.body?.error;
      const ok =
        res.status === c.status &&
        err?.code === c.code &&
        typeof err.message === 'string' &&
        typeof err.trace_id === 'string' &&
        (!c.field || (err.details ?? []).some((d: { field?: string }) => d.field === c.field));
      if (!ok) failures.push(`${c.name}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(failures).toEqual([]);
    expect(await state()).toBe(before);
  });
});
