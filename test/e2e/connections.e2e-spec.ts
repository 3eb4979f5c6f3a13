import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { contractProblems, CredenceCloudEvent } from '@credence/contracts';
import { RequestContext } from '@credence/context';
import { MetadataRefresh, newSpCredential } from '@credence/federation';
import { startTestApp, TestApp, uniqueSlug } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { FederationAppModule } from '../../apps/federation/src/federation-app.module';
import { login, member, PASSWORD, Tenant } from './identity-authz-fixture';

const BASE = 'http://credence.test';

async function onboardWithDomains(t: TestApp, prefix: string, domains: string[]): Promise<Tenant> {
  const slug = uniqueSlug(prefix);
  const res = await t.call('POST', '/v1/admin/tenants', { slug, name: slug, domains, admin: { email: `admin@${slug}.example`, password: PASSWORD } });
  if (res.status !== 201) throw new Error(`onboarding failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { slug, id: res.body.id, schema: `t_${res.body.id.replace(/-/g, '')}`, adminId: res.body.admin.user_id, admin: await login(t, slug, `admin@${slug}.example`) };
}

const b64 = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');

/** IdP metadata as Entra ID / Okta publish it, with the given signing certificates. */
function idpMetadata(entityId: string, certs: string[], extra = ''): string {
  const keys = certs
    .map((c) => `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64(c)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">${extra}
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${keys}
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64(certs[0])}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/slo"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/sso-post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
}

/**
 * The connections API (federation app): CRUD for SAML, OIDC and LDAP connections, secrets sealed and
 * never shown, IdP metadata parsed safely or fetched through the SSRF guard, tenant domains owned once.
 */
describe('connections', () => {
  let t: TestApp;
  let acme: Tenant;
  let other: Tenant;
  let idpCert: string;
  let idpCert2: string;
  let server: Server;
  let idpBase: string;
  const served: Record<string, { status: number; body: string; type?: string }> = {};

  const api = (method: string, path = '', body?: unknown, token: string | false = acme.admin, tenant: Tenant = acme) =>
    t.call(method, `/v1/t/${tenant.slug}/connections${path}`, body, { auth: token });
  const create = async (body: Record<string, unknown>, tenant: Tenant = acme) => {
    const res = await api('POST', '', body, tenant.admin, tenant);
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const rawRow = async (tenant: Tenant, id: string) => (await t.dataSource.query(`SELECT * FROM "${tenant.schema}".connections WHERE id = $1`, [id]))[0];
  const eventsOf = async (id: string): Promise<CredenceCloudEvent[]> =>
    (await t.dataSource.query(`SELECT event FROM platform.outbox WHERE aggregate = $1 ORDER BY position`, [`connection/${id}`])).map(
      (r: { event: CredenceCloudEvent }) => r.event,
    );
  const samlManual = (extra: Record<string, unknown> = {}) => ({
    idp_entity_id: 'https://idp.example/entity',
    idp_sso_url: 'https://idp.example/sso',
    idp_certificates: [idpCert],
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule, FederationAppModule]);
    const suffix = Date.now().toString(36) + process.pid;
    acme = await onboardWithDomains(t, 'conn', [`acme-${suffix}.example`, `acme2-${suffix}.example`, `acme3-${suffix}.example`]);
    other = await onboardWithDomains(t, 'conn-other', [`other-${suffix}.example`]);
    idpCert = (await newSpCredential('Test IdP', 'signing')).certificatePem;
    idpCert2 = (await newSpCredential('Test IdP next', 'signing')).certificatePem;
    server = createServer((req, res) => {
      const s = served[req.url ?? ''];
      if (!s) return void res.writeHead(404).end();
      res.writeHead(s.status, { 'content-type': s.type ?? 'application/xml' }).end(s.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    idpBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await t.close();
  });

  let acmeDomains: string[];
  beforeAll(async () => {
    acmeDomains = (await t.call('GET', `/v1/admin/tenants/${acme.slug}`)).body.domains;
  });

  it('creates a SAML connection from metadata XML: IdP settings parsed, SP keys made and sealed, URLs for the IdP admin', async () => {
    const xml = idpMetadata('https://idp.example/entity', [idpCert, idpCert2]);
    const c = await create({
      type: 'saml',
      name: 'Acme Entra ID',
      domains: [acmeDomains[0].toUpperCase()],
      jit: { enabled: true, default_roles: ['employee'] },
      attribute_mapping: { email: 'mail', groups: 'memberOf' },
      group_role_mapping: [{ group: 'managers', role: 'manager' }],
      saml: { idp_metadata_xml: xml },
    });
    expect(c).toMatchObject({
      type: 'saml',
      name: 'Acme Entra ID',
      enabled: true,
      status: 'active',
      status_detail: null,
      domains: [acmeDomains[0]],
      jit: { enabled: true, default_roles: ['employee'] },
      attribute_mapping: { email: 'mail', groups: 'memberOf' },
      group_role_mapping: [{ group: 'managers', role: 'manager' }],
      created_by: `user:${acme.adminId}`,
      saml: {
        sp_entity_id: `${BASE}/v1/t/${acme.slug}/connections/${c.id}/saml/metadata`,
        sp_metadata_url: `${BASE}/v1/t/${acme.slug}/connections/${c.id}/saml/metadata`,
        acs_url: `${BASE}/v1/t/${acme.slug}/connections/${c.id}/saml/acs`,
        slo_url: `${BASE}/v1/t/${acme.slug}/connections/${c.id}/saml/slo`,
        idp_entity_id: 'https://idp.example/entity',
        idp_sso_url: 'https://idp.example/sso',
        idp_slo_url: 'https://idp.example/slo',
        idp_metadata_url: null,
        allow_idp_initiated: false,
        sign_authn_requests: true,
        allow_sha1: false,
      },
    });
    expect(c.saml.idp_certificates).toHaveLength(2);
    expect(c.saml.idp_certificates_info[0]).toMatchObject({ expired: false, expiring: false, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(c.saml.sp_signing_certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(c.saml.sp_encryption_certificate).not.toBe(c.saml.sp_signing_certificate);
    expect(JSON.stringify(c)).not.toMatch(/PRIVATE KEY/);

    const row = await rawRow(acme, c.id);
    expect(row.secrets).toBeInstanceOf(Buffer);
    expect(row.secrets.toString('latin1')).not.toMatch(/PRIVATE KEY|BEGIN/);
    expect(JSON.stringify(row.config)).not.toMatch(/PRIVATE KEY/);

    const one = await api('GET', `/${c.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(c);
    const events = await eventsOf(c.id);
    expect(events.map((e) => e.type)).toEqual(['federation.connection.created']);
    expect(events[0].data).toEqual({ connection_id: c.id, type: 'saml', name: 'Acme Entra ID', enabled: true, domains: [acmeDomains[0]] });
    expect(contractProblems(events[0])).toEqual([]);

    const tested = await api('POST', `/${c.id}/test`);
    expect(tested.status).toBe(200);
    expect(tested.body.ok).toBe(true);
    expect(tested.body.checks.map((k: { name: string }) => k.name)).toEqual(['idp_certificates', 'idp_sso_url', 'secrets']);
  });

  it('creates an OIDC connection: the client secret is sealed, never shown nor in events; PATCH replaces it', async () => {
    const secret = 'oidc-client-secret-value-0123456789';
    const c = await create({ type: 'oidc', name: 'Okta', oidc: { issuer: 'https://acme.okta.example/', client_id: 'abc', client_secret: secret } });
    expect(c.oidc).toEqual({
      issuer: 'https://acme.okta.example',
      client_id: 'abc',
      scopes: ['openid', 'email', 'profile'],
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uri: `${BASE}/v1/t/${acme.slug}/connections/${c.id}/oidc/callback`,
      client_secret_set: true,
    });
    const row = await rawRow(acme, c.id);
    expect(row.secrets.toString('latin1')).not.toContain(secret);
    expect(JSON.stringify(row.config)).not.toContain(secret);

    const secret2 = 'second-secret-value-abcdefghijklmnop';
    const patched = await api('PATCH', `/${c.id}`, { oidc: { client_secret: secret2, scopes: ['openid', 'email'] } });
    expect(patched.status).toBe(200);
    expect(patched.body.oidc.scopes).toEqual(['openid', 'email']);
    const events = await eventsOf(c.id);
    expect(events.map((e) => e.type)).toEqual(['federation.connection.created', 'federation.connection.updated']);
    expect(events[1].data.changed).toEqual(['oidc.scopes', 'oidc.client_secret']);
    for (const e of events) expect(contractProblems(e)).toEqual([]);
    const all = JSON.stringify([c, patched.body, events, (await api('GET', '?limit=100')).body]);
    expect(all).not.toContain(secret);
    expect(all).not.toContain(secret2);
    expect((await rawRow(acme, c.id)).secrets.equals(row.secrets)).toBe(false);
  });

  it('creates an LDAP connection with defaults and refuses bad LDAP settings', async () => {
    const c = await create({
      type: 'ldap',
      name: 'Directory',
      ldap: {
        url: 'ldaps://ldap.acme.example:636',
        bind_dn: 'cn=svc,dc=acme',
        bind_password: 'bind-pw-123',
        user_search_base: 'dc=acme',
        user_search_filter: '(uid={{username}})',
      },
    });
    expect(c.ldap).toMatchObject({ url: 'ldaps://ldap.acme.example:636', start_tls: false, timeout_ms: 5000, bind_password_set: true });
    expect(JSON.stringify(c)).not.toContain('bind-pw-123');
    const tested = await api('POST', `/${c.id}/test`);
    expect(tested.status).toBe(200);
    // The service bind is tried for real (test/e2e/ldap-login.e2e-spec.ts has a directory that answers); this host does not resolve.
    expect(tested.body).toEqual({
      ok: false,
      checks: [{ name: 'service_bind', ok: false, detail: expect.stringMatching(/could not resolve ldap\.acme\.example|no answer within/) }],
    });
    const bad = await api('POST', '', {
      type: 'ldap',
      name: 'Bad',
      ldap: { url: 'http://ldap.example', bind_dn: 'x', bind_password: 'y', user_search_base: 'z', user_search_filter: '(uid=x)', timeout_ms: 50 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['ldap.timeout_ms']));
    const bad2 = await api('POST', '', {
      type: 'ldap',
      name: 'Bad',
      ldap: { url: 'http://ldap.example', bind_dn: 'x', bind_password: 'y', user_search_base: 'z', user_search_filter: '(uid=x)' },
    });
    expect(bad2.body.error.details.map((d: { field: string }) => d.field)).toEqual(['ldap.url', 'ldap.user_search_filter']);
  });

  it('fetches metadata from a URL through the guard (loopback over http is allowed outside production), and tests it again', async () => {
    served['/md'] = { status: 200, body: idpMetadata('https://url-idp.example', [idpCert]) };
    const c = await create({ type: 'saml', name: 'From URL', saml: { idp_metadata_url: `${idpBase}/md` } });
    expect(c.saml).toMatchObject({ idp_entity_id: 'https://url-idp.example', idp_metadata_url: `${idpBase}/md` });
    served['/md'] = { status: 500, body: 'down' };
    const tested = await api('POST', `/${c.id}/test`);
    expect(tested.status).toBe(200);
    expect(tested.body.ok).toBe(false);
    expect(tested.body.checks[0]).toEqual({ name: 'metadata', ok: false, detail: 'the metadata URL answered HTTP 500' });
    const missing = await api('POST', '', { type: 'saml', name: 'Missing', saml: { idp_metadata_url: `${idpBase}/nothing` } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ field: 'saml.idp_metadata_url', issue: 'the metadata URL answered HTTP 404' }]);
  });

  it('refuses metadata URLs the SSRF guard refuses: private, link-local, metadata services, other schemes', async () => {
    // https, so the URL rule (http only on loopback) lets them through to the guard.
    for (const url of [
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.5/md',
      'https://[::ffff:192.168.1.1]/md',
      'https://0xa9fea9fe/',
      'https://[fd00::1]/',
      'https://0.0.0.0/',
    ]) {
      const res = await api('POST', '', { type: 'saml', name: 'SSRF', saml: { idp_metadata_url: url } });
      expect([res.status, res.body.error.code]).toEqual([400, 'federation.outbound_refused']);
    }
    served['/redirect'] = { status: 302, body: '' };
    const redirected = await api('POST', '', { type: 'saml', name: 'SSRF', saml: { idp_metadata_url: `${idpBase}/redirect` } });
    expect([redirected.status, redirected.body.error.code]).toEqual([400, 'federation.outbound_refused']);
    const file = await api('POST', '', { type: 'saml', name: 'SSRF', saml: { idp_metadata_url: 'file:///etc/passwd' } });
    expect([file.status, file.body.error.code]).toEqual([400, 'validation.failed']);
  });

  it('refuses a DOCTYPE, oversize or broken metadata, bad certificates and more than one IdP source', async () => {
    const withDoctype = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>${idpMetadata('https://e', [idpCert]).replace(/^<\?xml[^>]*>/, '')}`;
    const cases: [unknown, string][] = [
      [{ idp_metadata_xml: withDoctype }, 'DOCTYPE'],
      [{ idp_metadata_xml: '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><unclosed></md:EntityDescriptor>' }, 'well-formed'],
      [{ idp_metadata_xml: '<foo/>' }, 'EntityDescriptor'],
      [{ idp_metadata_xml: idpMetadata('https://e', [idpCert]).replace(/HTTP-Redirect" Location="https:\/\/idp.example\/sso"/, 'HTTP-POST" Location="x"') }, 'HTTP-Redirect'],
      [{ idp_metadata_xml: idpMetadata('https://e', ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----']) }, 'does not parse'],
      [samlManual({ idp_certificates: ['not a pem'] }), 'PEM'],
      [samlManual({ idp_sso_url: 'http://idp.example/sso' }), 'https'],
      [samlManual({ idp_sso_url: 'javascript:alert(1)' }), 'https'],
      [{ ...samlManual(), idp_metadata_xml: idpMetadata('https://e', [idpCert]) }, 'exactly one'],
      [{}, 'exactly one'],
      [{ idp_entity_id: 'x' }, 'required'],
      [samlManual({ allow_idp_initiated: true }), 'idp_initiated_client_id is required'],
      [samlManual({ allow_idp_initiated: true, idp_initiated_client_id: 'cac_nope' }), 'not an application'],
    ];
    for (const [saml, issue] of cases) {
      const res = await api('POST', '', { type: 'saml', name: 'Bad', saml });
      expect([res.status, res.body.error?.code]).toEqual([400, 'validation.failed']);
      expect(JSON.stringify(res.body.error.details)).toContain(issue);
    }
    // Oversize: the body limit or the 256 KB field limit refuses it, never a 500.
    const huge = idpMetadata('https://e', [idpCert], `<!-- ${'x'.repeat(300 * 1024)} -->`);
    const res = await api('POST', '', { type: 'saml', name: 'Huge', saml: { idp_metadata_xml: huge } });
    expect([400, 413]).toContain(res.status);
  });

  it("owns each domain once per tenant: not the tenant's domain → 400, another connection's → 409; PATCH moves and frees them", async () => {
    const notOurs = await api('POST', '', { type: 'saml', name: 'X', domains: ['evil.example'], saml: samlManual() });
    expect([notOurs.status, notOurs.body.error.code]).toEqual([400, 'validation.failed']);
    expect(notOurs.body.error.details).toEqual([{ field: 'domains', issue: 'evil.example is not a domain of the tenant' }]);
    const othersDomain = (await t.call('GET', `/v1/admin/tenants/${other.slug}`)).body.domains[0];
    expect((await api('POST', '', { type: 'saml', name: 'X', domains: [othersDomain], saml: samlManual() })).status).toBe(400);

    const a = await create({ type: 'saml', name: 'A', domains: [acmeDomains[1]], saml: samlManual() });
    const taken = await api('POST', '', { type: 'saml', name: 'B', domains: [acmeDomains[1]], saml: samlManual() });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'connection.domain_taken']);
    const b = await create({ type: 'saml', name: 'B', saml: samlManual() });
    expect((await api('PATCH', `/${b.id}`, { domains: [acmeDomains[1]] })).status).toBe(409);
    // Races: two connections claim one free domain at once; one wins, the other gets 409, never 500.
    const [r1, r2] = await Promise.all([api('PATCH', `/${a.id}`, { domains: [acmeDomains[1], acmeDomains[2]] }), api('PATCH', `/${b.id}`, { domains: [acmeDomains[2]] })]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    expect((await api('DELETE', `/${a.id}`)).status).toBe(204);
    expect((await api('PATCH', `/${b.id}`, { domains: [acmeDomains[1]] })).status).toBe(200);
    expect((await api('GET', `/${a.id}`)).status).toBe(404);
    expect((await eventsOf(a.id)).map((e) => e.type).at(-1)).toBe('federation.connection.deleted');
    await api('DELETE', `/${b.id}`);
  });

  it('validates roles and strict input: unknown roles, unknown fields, wrong types, type changes, hostile values', async () => {
    const roles = await api('POST', '', {
      type: 'saml',
      name: 'R',
      jit: { enabled: true, default_roles: ['ghost'] },
      group_role_mapping: [{ group: 'g', role: 'nobody' }],
      saml: samlManual(),
    });
    expect(roles.body.error.details).toEqual([
      { field: 'jit.default_roles', issue: 'role ghost does not exist' },
      { field: 'group_role_mapping', issue: 'role nobody does not exist' },
    ]);
    const c = await create({ type: 'saml', name: 'Strict', saml: samlManual() });
    for (const [body, field] of [
      [{ type: 'saml', name: 'U', saml: samlManual(), extra: 1 }, 'extra'],
      [{ type: 'saml', name: 'U', saml: { ...samlManual(), nested: { deep: 1 } } }, 'saml.nested'],
      [{ type: 'saml', name: 'U', saml: samlManual(), jit: { enabled: 'yes', default_roles: [] } }, 'jit.enabled'],
      [{ type: 'saml', name: 'x'.repeat(201), saml: samlManual() }, 'name'],
      [{ type: 'saml', name: 'U', domains: Array.from({ length: 51 }, (_, i) => `d${i}.example`), saml: samlManual() }, 'domains'],
      [{ type: 'saml', name: 'U', group_role_mapping: Array.from({ length: 101 }, () => ({ group: 'g', role: 'employee' })), saml: samlManual() }, 'group_role_mapping'],
      [{ type: 'saml', name: 'U', saml: samlManual({ idp_certificates: Array(6).fill(idpCert) }) }, 'saml.idp_certificates'],
      [{ type: 'saml', name: 'U', oidc: { issuer: 'https://x', client_id: 'a', client_secret: 'b' }, saml: samlManual() }, 'saml'],
      [{ type: 'oidc', name: 'U', saml: samlManual() }, 'oidc'],
      [{ type: 'kerberos', name: 'U' }, 'type'],
      [{ type: 'saml', name: 'U', saml: 'string' }, 'saml'],
      [{ type: 'saml', name: 'U', saml: [samlManual()] }, 'saml'],
      [{ type: 'saml', name: 'line\nbreak', saml: samlManual() }, 'name'],
    ] as const) {
      const res = await api('POST', '', body);
      expect([res.status, res.body.error?.code]).toEqual([400, 'validation.failed']);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const nul = await api('POST', '', { type: 'saml', name: 'a\u0000b', saml: samlManual() });
    expect([nul.status, nul.body.error.code]).toEqual([400, 'validation.failed']);
    const deep = await api('POST', '', `{"type":"saml","name":"d","saml":${'['.repeat(100)}${']'.repeat(100)}}`);
    expect(deep.status).toBe(400);
    const typeChange = await api('PATCH', `/${c.id}`, { type: 'oidc' });
    expect(typeChange.status).toBe(400);
    const otherType = await api('PATCH', `/${c.id}`, { oidc: { client_id: 'x' } });
    expect(otherType.body.error.details).toEqual([{ field: 'oidc', issue: 'this is a saml connection; its type cannot change' }]);
    expect((await api('PATCH', `/${c.id}`, { name: null })).status).toBe(400);
    for (const id of ['nope', '00000000-0000-0000-0000-000000000000', "' OR 1=1 --"]) {
      const res = await api('GET', `/${encodeURIComponent(id)}`);
      expect([res.status, res.body.error.code]).toEqual([404, 'connection.not_found']);
    }
  });

  it('lets a holder of idp.manage name only roles whose permissions they hold: no tenant_admin through JIT or a group rule', async () => {
    const role = await t.call('POST', `/v1/t/${acme.slug}/roles`, { name: 'sso-admins', permissions: ['idp.manage:any'] }, { auth: acme.admin });
    expect(role.status).toBe(201);
    const sso = await member(t, acme, ['sso-admins']);
    const denials = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM platform.outbox WHERE event->>'type' = 'authz.access.denied'`))[0].n;
    const before = await denials();
    const viaJit = await api('POST', '', { type: 'saml', name: 'Escalate JIT', jit: { enabled: true, default_roles: ['tenant_admin'] }, saml: samlManual() }, sso.token);
    expect([viaJit.status, viaJit.body.error?.code]).toEqual([403, 'authz.access.denied']);
    const viaRule = await api('POST', '', { type: 'saml', name: 'Escalate rule', group_role_mapping: [{ group: 'g', role: 'tenant_admin' }], saml: samlManual() }, sso.token);
    expect([viaRule.status, viaRule.body.error?.code]).toEqual([403, 'authz.access.denied']);
    expect(await denials()).toBe(before + 2);
    // Its own role it may hand out; a later PATCH that names tenant_admin is refused and changes nothing.
    const own = await api('POST', '', { type: 'saml', name: 'Own role', jit: { enabled: true, default_roles: ['sso-admins'] }, saml: samlManual() }, sso.token);
    expect(own.status).toBe(201);
    const patched = await api('PATCH', `/${own.body.id}`, { group_role_mapping: [{ group: 'g', role: 'tenant_admin' }] }, sso.token);
    expect([patched.status, patched.body.error?.code]).toEqual([403, 'authz.access.denied']);
    expect((await api('GET', `/${own.body.id}`)).body.group_role_mapping).toEqual([]);
    // The tenant admin holds every permission, tenant_admin's included.
    const admin = await api('POST', '', { type: 'saml', name: 'Admin rule', group_role_mapping: [{ group: 'admins', role: 'tenant_admin' }], saml: samlManual() });
    expect(admin.status).toBe(201);
  });

  it('PATCHes a SAML connection: options and a new IdP source, with changed fields in the event', async () => {
    const c = await create({ type: 'saml', name: 'Patch me', saml: samlManual() });
    const res = await api('PATCH', `/${c.id}`, {
      name: 'Patched',
      enabled: false,
      saml: { allow_sha1: true, idp_metadata_xml: idpMetadata('https://new-idp.example', [idpCert2]) },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Patched',
      enabled: false,
      saml: { allow_sha1: true, idp_entity_id: 'https://new-idp.example', idp_slo_url: 'https://idp.example/slo' },
    });
    expect(res.body.saml.sp_signing_certificate).toBe(c.saml.sp_signing_certificate);
    const [, updated] = await eventsOf(c.id);
    expect([...(updated.data.changed as string[])].sort()).toEqual(['enabled', 'name', 'saml.allow_sha1', 'saml.idp_certificates', 'saml.idp_entity_id', 'saml.idp_slo_url']);
    expect(contractProblems(updated)).toEqual([]);
    // An unchanged PATCH writes nothing and emits nothing.
    expect((await api('PATCH', `/${c.id}`, { name: 'Patched' })).status).toBe(200);
    expect(await eventsOf(c.id)).toHaveLength(2);
  });

  it('lists with cursor pagination, and keeps tenants and roles apart: other tenant → 404, employee → 403', async () => {
    const mine = await create({ type: 'saml', name: 'Listed', saml: samlManual() }, other);
    const page1 = await api('GET', '?limit=2');
    expect(page1.status).toBe(200);
    expect(page1.body.data).toHaveLength(2);
    const page2 = await api('GET', `?limit=2&cursor=${page1.body.meta.next_cursor}`);
    expect(page2.body.data[0].id > page1.body.data[1].id).toBe(true);
    expect((await api('GET', '?limit=100')).body.data.map((c: { id: string }) => c.id)).not.toContain(mine.id);

    for (const [method, path] of [
      ['GET', `/${mine.id}`],
      ['PATCH', `/${mine.id}`],
      ['DELETE', `/${mine.id}`],
      ['POST', `/${mine.id}/test`],
    ]) {
      const res = await api(method, path, method === 'PATCH' ? { name: 'x' } : undefined);
      expect([res.status, res.body.error.code]).toEqual([404, 'connection.not_found']);
    }
    const employee = await member(t, acme, ['employee']);
    for (const [method, path, body] of [
      ['POST', '', { type: 'saml', name: 'x', saml: samlManual() }],
      ['GET', '', undefined],
      ['GET', `/${mine.id}`, undefined],
      ['POST', `/${mine.id}/test`, undefined],
    ] as const) {
      expect((await api(method, path, body, employee.token)).status).toBe(403);
    }
    expect((await api('GET', '', undefined, false)).status).toBe(401);
    expect((await api('GET', `/${mine.id}`, undefined, other.admin, other)).status).toBe(200);
  });

  it('tests an OIDC connection by fetching its discovery document through the guard and comparing the issuer', async () => {
    const issuer = `${idpBase}/oidc`;
    served['/oidc/.well-known/openid-configuration'] = {
      status: 200,
      type: 'application/json',
      body: JSON.stringify({ issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token` }),
    };
    const c = await create({ type: 'oidc', name: 'Local OP', oidc: { issuer, client_id: 'c', client_secret: 's' } });
    const ok = await api('POST', `/${c.id}/test`);
    expect(ok.body).toEqual({
      ok: true,
      checks: [
        { name: 'discovery', ok: true, detail: 'fetched; issuer matches' },
        { name: 'secrets', ok: true, detail: 'sealed secrets open' },
      ],
    });
    served['/oidc/.well-known/openid-configuration'] = { status: 200, type: 'application/json', body: JSON.stringify({ issuer: 'https://evil.example' }) };
    const mismatch = await api('POST', `/${c.id}/test`);
    expect(mismatch.status).toBe(200);
    expect(mismatch.body.checks[0]).toMatchObject({ name: 'discovery', ok: false, detail: expect.stringContaining('evil.example') });
    served['/oidc/.well-known/openid-configuration'] = { status: 200, body: 'not json' };
    expect((await api('POST', `/${c.id}/test`)).body.checks[0]).toMatchObject({ ok: false, detail: 'the discovery document is not JSON' });
    const privateIssuer = await create({ type: 'oidc', name: 'Private OP', oidc: { issuer: 'https://10.1.2.3', client_id: 'c', client_secret: 's' } });
    const refused = await api('POST', `/${privateIssuer.id}/test`);
    expect(refused.status).toBe(200);
    expect(refused.body.checks[0]).toMatchObject({ ok: false, detail: expect.stringMatching(/does not fetch/) });
  });

  it('refreshes metadata from its URL on schedule: new certificates stored, failures mark the connection, expiring certificates noticed once a day', async () => {
    const tenant = await onboardWithDomains(t, 'conn-refresh', []);
    const refresh = () =>
      t.app.get(RequestContext).runWith({ tenant: { id: tenant.id, slug: tenant.slug, schema: tenant.schema } }, () => t.app.get(MetadataRefresh).refreshTenant());
    served['/refresh'] = { status: 200, body: idpMetadata('https://refresh-idp.example', [idpCert]) };
    const c = await create({ type: 'saml', name: 'Refreshed', saml: { idp_metadata_url: `${idpBase}/refresh` } }, tenant);
    const get = async () => (await api('GET', `/${c.id}`, undefined, tenant.admin, tenant)).body;

    expect(await refresh()).toEqual({ refreshed: 1, failed: 0, expiringNotices: 0 });
    expect(await eventsOf(c.id)).toHaveLength(1); // unchanged metadata: nothing written

    served['/refresh'] = { status: 200, body: idpMetadata('https://refresh-idp.example', [idpCert, idpCert2]) };
    await refresh();
    expect((await get()).saml.idp_certificates).toHaveLength(2);
    let events = await eventsOf(c.id);
    expect(events.at(-1)).toMatchObject({ type: 'federation.connection.updated', data: { changed: ['saml.idp_certificates'] } });

    served['/refresh'] = { status: 503, body: 'down' };
    expect(await refresh()).toMatchObject({ failed: 1 });
    const failed = await get();
    expect(failed).toMatchObject({ status: 'error', status_detail: 'metadata refresh failed: the metadata URL answered HTTP 503' });
    expect(failed.saml.idp_certificates).toHaveLength(2); // the last good settings stay
    events = await eventsOf(c.id);
    expect(events.at(-1)!.data.changed).toEqual(['status']);

    served['/refresh'] = { status: 200, body: idpMetadata('https://refresh-idp.example', [idpCert2]) };
    await refresh();
    expect(await get()).toMatchObject({ status: 'active', status_detail: null, saml: { idp_certificates: [expect.any(String)] } });
    for (const e of await eventsOf(c.id)) expect(contractProblems(e)).toEqual([]);

    // Ten years less ten days from now, the IdP certificate (ten years) is within 30 days of expiry.
    const later = Date.now() + (10 * 365 - 10) * 24 * 3600 * 1000;
    const soon = () =>
      t.app.get(RequestContext).runWith({ tenant: { id: tenant.id, slug: tenant.slug, schema: tenant.schema } }, () => t.app.get(MetadataRefresh).refreshTenant(later));
    expect((await soon()).expiringNotices).toBe(1);
    expect((await soon()).expiringNotices).toBe(0); // once a day per certificate
    const expiring = (await eventsOf(c.id)).filter((e) => e.type === 'federation.connection.certificate_expiring');
    expect(expiring).toHaveLength(1);
    expect(expiring[0].data).toEqual({ connection_id: c.id, not_after: expect.any(String), fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(contractProblems(expiring[0])).toEqual([]);
  });
});
