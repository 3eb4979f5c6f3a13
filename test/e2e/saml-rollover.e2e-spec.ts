import * as client from 'openid-client';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { RequestContext } from '@credence/context';
import { KeyEncryption } from '@credence/crypto';
import { MetadataRefresh, samlSpUrls, secretsAssociatedData } from '@credence/federation';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { FederationAppModule } from '../../apps/federation/src/federation-app.module';
import { eventsOf, onboard, Tenant } from './identity-authz-fixture';
import { IDP_ENTITY_ID, IDP_SSO_URL, idpMetadata, pemBody, startTestIdp, TestIdp } from '../support/saml-idp';
import { testAppUrls, confidentialRelyingParty } from '../support/openid-client';

const CALLBACK = 'https://rp.example.com/callback';

/**
 * An IdP certificate rollover, as a tenant admin lives it: the IdP (samlify) signs with its old key,
 * then its new one. While the connection lists both, either signs a user in; once the admin (PATCH) or
 * the metadata refresh keeps only the new one, a Response signed with the old key is refused
 * (signature_invalid in federation.login.failed) and the new key still signs users in.
 */
describe('SAML IdP certificate rollover', () => {
  let t: TestApp;
  let acme: Tenant;
  let oldIdp: TestIdp;
  let newIdp: TestIdp;
  let config: client.Configuration;
  let server: Server;
  let idpBase: string;
  const served: Record<string, string> = {};

  const { base, local } = testAppUrls(() => t);
  const connections = (method: string, path = '', body?: unknown) => t.call(method, `/v1/t/${acme.slug}/connections${path}`, body, { auth: acme.admin });

  async function createConnection(saml: Record<string, unknown>): Promise<string> {
    const res = await connections('POST', '', { type: 'saml', name: `Rolling IdP ${Date.now()}`, jit: { enabled: true, default_roles: [] }, saml });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  const storedCertificates = async (id: string) => ((await connections('GET', `/${id}`)).body.saml.idp_certificates as string[]).map(pemBody);

  /** The browser flow from the app through /oauth2/authorize to samlify and back to Credence's ACS. */
  async function signIn(connectionId: string, idp: TestIdp, email: string, options: { encrypt?: boolean; spMetadata?: (current: string) => string } = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      connection: connectionId,
    });
    const started = await fetch(local(url), { redirect: 'manual' });
    expect(started.status).toBe(302);
    const idpUrl = started.headers.get('location')!;
    expect(idpUrl.startsWith(`${IDP_SSO_URL}?SAMLRequest=`)).toBe(true);
    const binding = started.headers
      .getSetCookie()
      .find((c) => c.startsWith('credence_binding='))!
      .split(';')[0];
    const urls = samlSpUrls(base(), acme.slug, connectionId);
    const current = await (await fetch(local(urls.metadata))).text();
    const answer = await idp.respond(idpUrl, options.spMetadata ? options.spMetadata(current) : current, email, { encrypt: options.encrypt });
    const acs = await fetch(local(urls.acs), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: answer.SAMLResponse, ...(answer.RelayState ? { RelayState: answer.RelayState } : {}) }).toString(),
    });
    return {
      acs,
      async finish() {
        expect(acs.status).toBe(303);
        const cont = await fetch(local(acs.headers.get('location')!), { redirect: 'manual', headers: { cookie: binding } });
        expect(cont.status).toBe(303);
        const tokens = await client.authorizationCodeGrant(config, new URL(cont.headers.get('location')!), {
          pkceCodeVerifier: verifier,
          expectedState: state,
          expectedNonce: nonce,
          idTokenExpected: true,
        });
        return tokens.claims()!;
      },
    };
  }

  async function signsIn(connectionId: string, idp: TestIdp, email: string, options: Parameters<typeof signIn>[3] = {}) {
    const claims = await (await signIn(connectionId, idp, email, options)).finish();
    expect(claims).toMatchObject({ email, idp: connectionId, amr: ['fed'] });
  }

  async function refusedAsSignatureInvalid(connectionId: string, idp: TestIdp, email: string) {
    const before = (await eventsOf(t, acme, 'federation.login.failed')).length;
    const { acs } = await signIn(connectionId, idp, email);
    expect(acs.status).toBe(400);
    expect(acs.headers.get('location')).toBeNull();
    const failed = (await eventsOf(t, acme, 'federation.login.failed')).slice(before);
    expect(failed.map((e) => e.data)).toEqual([expect.objectContaining({ connection_id: connectionId, reason: 'signature_invalid' })]);
  }

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule, FederationAppModule]);
    acme = await onboard(t, 'saml-roll');
    oldIdp = await startTestIdp();
    newIdp = await startTestIdp();
    const app = await t.call('POST', `/v1/t/${acme.slug}/applications`, { name: 'RP', type: 'confidential', redirect_uris: [CALLBACK] }, { auth: acme.admin });
    expect(app.status).toBe(201);
    config = await confidentialRelyingParty(t, acme.slug, app.body);
    server = createServer((req, res) => {
      const body = served[req.url ?? ''];
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    idpBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await t?.close();
  });

  it('accepts either key while the connection lists both; after a PATCH keeps only the new one, the old key is refused', async () => {
    const id = await createConnection({ idp_entity_id: IDP_ENTITY_ID, idp_sso_url: IDP_SSO_URL, idp_certificates: [oldIdp.cert, newIdp.cert] });
    await signsIn(id, oldIdp, 'old-key@corp.example');
    await signsIn(id, newIdp, 'new-key@corp.example');

    // The admin replaces only the certificates: entity id and SSO URL stay.
    const patched = await connections('PATCH', `/${id}`, { saml: { idp_certificates: [newIdp.cert] } });
    expect(patched.status).toBe(200);
    expect(await storedCertificates(id)).toEqual([pemBody(newIdp.cert)]);

    await refusedAsSignatureInvalid(id, oldIdp, 'old-key@corp.example');
    await signsIn(id, newIdp, 'new-key@corp.example');
    // The user the old key signed in before the rollover is still that user when the new key signs for them.
    await signsIn(id, newIdp, 'old-key@corp.example');
  });

  it('the same through the metadata refresh: the IdP publishes both certificates, then only the new one', async () => {
    served['/rollover'] = idpMetadata(IDP_ENTITY_ID, [oldIdp.cert, newIdp.cert]);
    const id = await createConnection({ idp_metadata_url: `${idpBase}/rollover` });
    expect(await storedCertificates(id)).toEqual([pemBody(oldIdp.cert), pemBody(newIdp.cert)]);
    await signsIn(id, oldIdp, 'meta-old@corp.example');
    await signsIn(id, newIdp, 'meta-new@corp.example');

    served['/rollover'] = idpMetadata(IDP_ENTITY_ID, [newIdp.cert]);
    const outcome = await t.app.get(RequestContext).runWith({ tenant: { id: acme.id, slug: acme.slug, schema: acme.schema } }, () => t.app.get(MetadataRefresh).refreshTenant());
    expect(outcome).toMatchObject({ refreshed: 1, failed: 0 });
    expect(await storedCertificates(id)).toEqual([pemBody(newIdp.cert)]);

    await refusedAsSignatureInvalid(id, oldIdp, 'meta-old@corp.example');
    await signsIn(id, newIdp, 'meta-old@corp.example');
  });

  it('keeps the entity id and SSO URL when a PATCH replaces only the certificates, and refuses a bad certificate without changing anything', async () => {
    const id = await createConnection({ idp_entity_id: IDP_ENTITY_ID, idp_sso_url: IDP_SSO_URL, idp_certificates: [oldIdp.cert, newIdp.cert] });
    const res = await connections('PATCH', `/${id}`, { saml: { idp_certificates: [newIdp.cert] } });
    expect(res.status).toBe(200);
    expect(res.body.saml).toMatchObject({ idp_entity_id: IDP_ENTITY_ID, idp_sso_url: IDP_SSO_URL });
    expect(await storedCertificates(id)).toEqual([pemBody(newIdp.cert)]);
    const bad = await connections('PATCH', `/${id}`, { saml: { idp_certificates: ['-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----'] } });
    expect(bad.status).toBe(400);
    expect(await storedCertificates(id)).toEqual([pemBody(newIdp.cert)]);
  });

  describe('SP key rotation', () => {
    const encryptionCertOf = (metadata: string) => /<(?:\w+:)?KeyDescriptor use="encryption">[\s\S]*?<(?:\w+:)?X509Certificate>([^<]+)</.exec(metadata)![1];
    /** The SP metadata as an IdP that has not reloaded it since `old` was current still encrypts with: the new signing certificate, the old encryption one. */
    const stillEncryptingTo = (old: string) => (current: string) => current.replace(encryptionCertOf(current), encryptionCertOf(old));

    it('publishes new SP certificates, and still decrypts what an IdP encrypts to the previous one until the next rotation', async () => {
      const id = await createConnection({ idp_entity_id: IDP_ENTITY_ID, idp_sso_url: IDP_SSO_URL, idp_certificates: [newIdp.cert] });
      const urls = samlSpUrls(base(), acme.slug, id);
      const first = await (await fetch(local(urls.metadata))).text();
      await signsIn(id, newIdp, 'enc-1@corp.example', { encrypt: true });

      const rotated = await connections('POST', `/${id}/saml/rotate-sp-keys`);
      expect(rotated.status).toBe(200);
      const second = await (await fetch(local(urls.metadata))).text();
      expect(encryptionCertOf(second)).not.toBe(encryptionCertOf(first));
      expect(rotated.body.saml.sp_encryption_certificate.replace(/-----[^-]+-----|\s/g, '')).toBe(encryptionCertOf(second));
      // AuthnRequests are now signed with the new key (samlify checks them against the new metadata).
      await signsIn(id, newIdp, 'enc-1@corp.example', { encrypt: true });
      await signsIn(id, newIdp, 'enc-1@corp.example', { encrypt: true, spMetadata: stillEncryptingTo(first) });

      expect((await connections('POST', `/${id}/saml/rotate-sp-keys`)).status).toBe(200);
      const { acs } = await signIn(id, newIdp, 'enc-1@corp.example', { encrypt: true, spMetadata: stillEncryptingTo(first) });
      expect(acs.status).toBe(400);
      const [failed] = (await eventsOf(t, acme, 'federation.login.failed')).slice(-1);
      expect(failed.data).toMatchObject({ connection_id: id, reason: 'malformed' });
    });

    it('answers a 500 page, and blames no one, when the SP keys were sealed under another key-encryption key; a rotation recovers the connection', async () => {
      const id = await createConnection({ idp_entity_id: IDP_ENTITY_ID, idp_sso_url: IDP_SSO_URL, idp_certificates: [newIdp.cert], sign_authn_requests: true });
      // The row as another installation (another CREDENCE_KEY_ENCRYPTION_KEY) would have sealed it.
      const elsewhere = new KeyEncryption(randomBytes(32).toString('base64'));
      const sealed = elsewhere.encrypt(Buffer.from(JSON.stringify({ sp_signing_key: 'unreadable here' })), secretsAssociatedData(acme.id, id));
      await t.dataSource.query(`UPDATE "${acme.schema}".connections SET secrets = $2, secrets_kek_id = $3 WHERE id = $1`, [id, sealed, elsewhere.kekId]);
      const failedBefore = (await eventsOf(t, acme, 'federation.login.failed')).length;

      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: CALLBACK,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        connection: id,
      });
      const started = await fetch(local(url), { redirect: 'manual' });
      expect(started.status).toBe(500);
      expect(started.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await started.text()).toMatch(/secrets cannot be opened/);
      expect((await eventsOf(t, acme, 'federation.login.failed')).length).toBe(failedBefore);

      expect((await connections('POST', `/${id}/saml/rotate-sp-keys`)).status).toBe(200);
      await signsIn(id, newIdp, 'resealed@corp.example', { encrypt: true });
    });

    it('refuses to rotate SP keys of a connection that is not SAML, and of another tenant', async () => {
      const oidc = await connections('POST', '', { type: 'oidc', name: `OIDC ${Date.now()}`, oidc: { issuer: 'http://127.0.0.1:9/x', client_id: 'c', client_secret: 's' } });
      expect(oidc.status).toBe(201);
      expect((await connections('POST', `/${oidc.body.id}/saml/rotate-sp-keys`)).status).toBe(400);
      const other = await onboard(t, 'saml-roll-other');
      expect((await t.call('POST', `/v1/t/${other.slug}/connections/${oidc.body.id}/saml/rotate-sp-keys`, undefined, { auth: other.admin })).status).toBe(404);
    });
  });
});
