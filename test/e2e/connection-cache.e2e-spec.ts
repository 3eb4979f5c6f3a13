import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { RequestContext } from '@credence/context';
import { ConnectionStore, MetadataRefresh, newSpCredential } from '@credence/federation';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { onboard, Tenant } from './identity-authz-fixture';
import { idpMetadata, pemBody } from '../support/saml-idp';

/**
 * The sign-in paths read connections from memory while the tenant's connections version in Redis is
 * unchanged. Two app instances (two caches, one database and Redis): a change made through one is seen
 * by the other on its very next read: an update through the API, the metadata refresh's new IdP
 * certificate, a deletion.
 */
describe('connection cache across processes', () => {
  let a: TestApp;
  let b: TestApp;
  let acme: Tenant;
  let server: Server;
  let metadataUrl: string;
  let served = '';

  const inTenant = <T>(t: TestApp, work: () => Promise<T>) => t.app.get(RequestContext).runWith({ tenant: { id: acme.id, slug: acme.slug, schema: acme.schema } }, work);
  const find = (t: TestApp, id: string) => inTenant(t, () => t.app.get(ConnectionStore).find(id));
  const settle = () => new Promise((r) => setTimeout(r, 50)); // the version bump follows the commit

  beforeAll(async () => {
    server = createServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/xml' }).end(served));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    metadataUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/idp`;
    a = await startTestApp([AuthAppModule]);
    b = await startTestApp([AuthAppModule]);
    acme = await onboard(a, 'conn-cache');
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await new Promise((r) => server.close(r));
  });

  it('sees an update, a metadata refresh and a deletion made through another instance at once', async () => {
    const [first, second] = await Promise.all([newSpCredential('IdP', 'signing'), newSpCredential('IdP', 'signing')]);
    served = idpMetadata('https://cache-idp.example', [first.certificatePem], 'https://idp.example/sso');
    const created = await a.call('POST', `/v1/t/${acme.slug}/connections`, { type: 'saml', name: 'Cached IdP', saml: { idp_metadata_url: metadataUrl } }, { auth: acme.admin });
    expect(created.status).toBe(201);
    const id: string = created.body.id;

    // b reads (and keeps) the connection; what it hands out is frozen, so no request can change another's copy.
    const kept = await find(b, id);
    expect(kept).toMatchObject({ id, enabled: true, name: 'Cached IdP' });
    expect(await find(b, id)).toBe(kept);
    expect(Object.isFrozen(kept!.saml!.idp_certificates)).toBe(true);

    expect((await a.call('PATCH', `/v1/t/${acme.slug}/connections/${id}`, { enabled: false, name: 'Renamed' }, { auth: acme.admin })).status).toBe(200);
    await settle();
    expect(await find(b, id)).toMatchObject({ enabled: false, name: 'Renamed' });

    // The IdP publishes a new certificate; the refresh job (here run on a) stores it.
    served = idpMetadata('https://cache-idp.example', [second.certificatePem], 'https://idp.example/sso');
    expect(await inTenant(a, () => a.app.get(MetadataRefresh).refreshTenant())).toMatchObject({ refreshed: 1, failed: 0 });
    await settle();
    expect(pemBody((await find(b, id))!.saml!.idp_certificates.join(''))).toBe(pemBody(second.certificatePem));

    expect((await a.call('DELETE', `/v1/t/${acme.slug}/connections/${id}`, undefined, { auth: acme.admin })).status).toBe(204);
    await settle();
    expect(await find(b, id)).toBeUndefined();
  });
});
