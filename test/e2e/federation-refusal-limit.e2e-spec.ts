import { samlSpUrls } from '@credence/federation';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { eventsOf, onboard, Tenant } from './identity-authz-fixture';
import { insertSamlConnection, startTestIdp } from '../support/saml-idp';
import { testAppUrls } from '../support/openid-client';

/**
 * A refused federated sign-in before any identity is known (here a Response that is not XML) can come
 * from anyone, and each one writes federation.login.failed to the tenant's audit trail. Past
 * FEDERATION_REFUSALS_PER_IP_PER_MINUTE per client address and connection, the ACS answers 429 and
 * records nothing, so one address cannot flood the trail.
 */
describe('federated sign-in refusals per address', () => {
  let t: TestApp;
  let acme: Tenant;
  let first: { id: string };
  let second: { id: string };
  const { base, local } = testAppUrls(() => t);

  const postJunk = (connectionId: string, ip: string) =>
    fetch(local(samlSpUrls(base(), acme.slug, connectionId).acs), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
      body: new URLSearchParams({ SAMLResponse: Buffer.from('not a SAML response').toString('base64') }).toString(),
    });
  const refusals = async () => (await eventsOf(t, acme, 'federation.login.failed')).map((e) => `${e.data.connection_id} ${e.data.ip}`);

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { FEDERATION_REFUSALS_PER_IP_PER_MINUTE: '3', TRUSTED_PROXIES: '127.0.0.1' });
    acme = await onboard(t, 'fedlimit');
    const idp = await startTestIdp();
    first = await insertSamlConnection(t, acme, idp);
    second = await insertSamlConnection(t, acme, idp);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('records three refusals from one address, then answers 429 and records nothing more; other addresses and connections still count on their own', async () => {
    for (let i = 0; i < 3; i += 1) expect((await postJunk(first.id, '203.0.113.7')).status).toBe(400);
    expect(await refusals()).toEqual(Array(3).fill(`${first.id} 203.0.113.7`));

    const limited = await postJunk(first.id, '203.0.113.7');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^text\/html/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toContain('Too many attempts');
    expect((await postJunk(first.id, '203.0.113.7')).status).toBe(429);
    expect(await refusals()).toHaveLength(3);

    expect((await postJunk(first.id, '203.0.113.8')).status).toBe(400);
    expect((await postJunk(second.id, '203.0.113.7')).status).toBe(400);
    expect((await refusals()).slice(3)).toEqual([`${first.id} 203.0.113.8`, `${second.id} 203.0.113.7`]);
  });

  it('counts parallel refusals exactly: of ten at once from a new address, three are recorded', async () => {
    const statuses = await Promise.all(Array.from({ length: 10 }, () => postJunk(second.id, '198.51.100.20').then((r) => r.status)));
    expect(statuses.filter((s) => s === 400)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect((await refusals()).filter((r) => r === `${second.id} 198.51.100.20`)).toHaveLength(3);
  });
});
