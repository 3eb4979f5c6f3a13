import { TestApp, uniqueSlug } from '@credence/testing';

/** Shared by the identity-users/roles/authz specs: tenants, users with roles, tokens from the login endpoint. */

export const PASSWORD = 'a long enough password';

export interface Tenant {
  slug: string;
  id: string;
  schema: string;
  adminId: string;
  admin: string;
}

export interface Member {
  id: string;
  email: string;
  token: string;
}

export async function login(t: TestApp, slug: string, email: string, password = PASSWORD): Promise<string> {
  const res = await t.call('POST', `/v1/t/${slug}/auth/login`, { email, password }, { auth: false });
  if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token;
}

export async function onboard(t: TestApp, prefix: string, settings?: Record<string, unknown>): Promise<Tenant> {
  const slug = uniqueSlug(prefix);
  const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, admin: { email: `admin@${slug}.example`, password: PASSWORD }, ...(settings ? { settings } : {}) });
  if (res.status !== 201) throw new Error(`onboarding failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { slug, id: res.body.id, schema: `t_${res.body.id.replace(/-/g, '')}`, adminId: res.body.admin.user_id, admin: await login(t, slug, `admin@${slug}.example`) };
}

let n = 0;
/** A user created through the API by the tenant admin, holding `roles`, signed in. */
export async function member(t: TestApp, tenant: Tenant, roles: string[], attributes: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<Member> {
  n += 1;
  const email = `m${n}-${Date.now().toString(36)}@${tenant.slug}.example`;
  const created = await t.call('POST', `/v1/t/${tenant.slug}/users`, { email, password: PASSWORD, attributes, ...extra }, { auth: tenant.admin });
  if (created.status !== 201) throw new Error(`user creation failed: ${created.status} ${JSON.stringify(created.body)}`);
  for (const role of roles) {
    const res = await t.call('POST', `/v1/t/${tenant.slug}/users/${created.body.id}/roles/${role}`, undefined, { auth: tenant.admin });
    if (res.status !== 200) throw new Error(`role ${role} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { id: created.body.id, email, token: await login(t, tenant.slug, email) };
}

export interface OutboxEvent {
  type: string;
  subject: string;
  data: Record<string, any>;
}

export async function eventsOf(t: TestApp, tenant: Tenant, type?: string): Promise<OutboxEvent[]> {
  const rows = await t.dataSource.query(`SELECT event FROM platform.outbox WHERE tenant_id = $1 AND ($2::text IS NULL OR type = $2) ORDER BY position`, [
    tenant.id,
    type ?? null,
  ]);
  return rows.map((r: { event: OutboxEvent }) => r.event);
}
