import { RequestContext } from '@credence/context';
import { ApplicationClients } from '@credence/oauth';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { onboard, Tenant } from './identity-authz-fixture';

/**
 * Client authentication reads applications from memory while the tenant's applications version in
 * Redis is unchanged. Two app instances (two caches, one database and Redis): a change made through
 * one is seen by the other on its very next read: a rotated secret, a deleted app, a new redirect URI.
 */
describe('application cache across processes', () => {
  let a: TestApp;
  let b: TestApp;
  let acme: Tenant;

  const authenticate = (t: TestApp, clientId: string, secret: string) =>
    t.app.get(RequestContext).runWith({ tenant: { id: acme.id, slug: acme.slug, schema: acme.schema } }, () => t.app.get(ApplicationClients).authenticate(clientId, secret));
  const find = (t: TestApp, clientId: string) =>
    t.app.get(RequestContext).runWith({ tenant: { id: acme.id, slug: acme.slug, schema: acme.schema } }, () => t.app.get(ApplicationClients).find(clientId));

  beforeAll(async () => {
    a = await startTestApp([AuthAppModule]);
    b = await startTestApp([AuthAppModule]);
    acme = await onboard(a, 'app-cache');
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('sees a rotation, an update and a deletion made through another instance at once', async () => {
    const created = await a.call('POST', `/v1/t/${acme.slug}/applications`, { name: 'Web', type: 'confidential', redirect_uris: ['https://a.example/cb'] }, { auth: acme.admin });
    const app = created.body;
    // b reads (and keeps) the app.
    expect(await authenticate(b, app.client_id, app.client_secret)).toMatchObject({ clientId: app.client_id });
    expect(await authenticate(b, app.client_id, app.client_secret)).toMatchObject({ clientId: app.client_id });

    const rotated = await a.call('POST', `/v1/t/${acme.slug}/applications/${app.id}/secret`, undefined, { auth: acme.admin });
    expect(rotated.status).toBe(200);
    await new Promise((r) => setTimeout(r, 50)); // the version bump follows the commit
    expect(await authenticate(b, app.client_id, app.client_secret)).toBeUndefined();
    expect(await authenticate(b, app.client_id, rotated.body.client_secret)).toMatchObject({ clientId: app.client_id });

    expect((await a.call('PATCH', `/v1/t/${acme.slug}/applications/${app.id}`, { redirect_uris: ['https://b.example/cb'] }, { auth: acme.admin })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect((await find(b, app.client_id))?.redirectUris).toEqual(['https://b.example/cb']);

    expect((await a.call('DELETE', `/v1/t/${acme.slug}/applications/${app.id}`, undefined, { auth: acme.admin })).status).toBe(204);
    await new Promise((r) => setTimeout(r, 50));
    expect(await find(b, app.client_id)).toBeUndefined();
    expect(await authenticate(b, app.client_id, rotated.body.client_secret)).toBeUndefined();
  });

  it('remembers an unknown client id only until an application is created', async () => {
    expect(await find(b, 'cac_not_yet')).toBeUndefined();
    const created = await a.call('POST', `/v1/t/${acme.slug}/applications`, { name: 'Later', type: 'public', redirect_uris: ['https://c.example/cb'] }, { auth: acme.admin });
    await new Promise((r) => setTimeout(r, 50));
    expect(await find(b, created.body.client_id)).toMatchObject({ name: 'Later' });
  });
});
