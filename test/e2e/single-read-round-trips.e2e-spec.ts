import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { recordSocketWrites } from '../support/socket-writes';
import { onboard, Tenant } from './identity-authz-fixture';

/**
 * A route whose database work is one read sends BEGIN with the tenant's settings, the read and COMMIT
 * to Postgres in one socket write (TenantTransactionRunner.queryInTenant): one round trip, not a
 * second one for the COMMIT after the read's answer. So does a route's permission check, which reads
 * the caller and their grants in one statement (AuthorizationService.check).
 */
describe('single-read routes reach Postgres in one round trip', () => {
  let t: TestApp;
  let acme: Tenant;
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { LOGIN_IP_LIMIT_PER_MINUTE: '100000' });
    acme = await onboard(t, 'one-trip');
  });
  afterAll(() => t.close());

  /** The socket writes that carried each marker (a table or statement the route reads) while the call ran. */
  async function writesOf(markers: string[], call: () => Promise<{ status: number }>): Promise<string[][]> {
    let status = 0;
    const writes = await recordSocketWrites(async () => {
      status = (await call()).status;
    });
    expect(status).toBe(200);
    return markers.map((marker) => writes.filter((w) => w.includes(marker)));
  }

  const expectOneRoundTrip = (carrying: string[]) => {
    expect(carrying).toHaveLength(1);
    expect(carrying[0]).toContain(`BEGIN; SELECT set_config('search_path', '"${acme.schema}",platform', true)`);
    expect(carrying[0]).toContain('COMMIT');
  };

  it("GET .well-known/jwks.json: the tenant's signing keys", async () => {
    const jwks = () => t.call('GET', `/v1/t/${acme.slug}/.well-known/jwks.json`, undefined, { auth: false });
    await jwks(); // the first call prepares what a later one reuses
    const [keys] = await writesOf(['FROM signing_keys'], jwks);
    expectOneRoundTrip(keys);
  });

  it("GET roles: the permission check's read of the caller and their grants, then a page of the list", async () => {
    const list = () => t.call('GET', `/v1/t/${acme.slug}/roles?limit=2`, undefined, { auth: acme.admin });
    await list();
    const [check, page] = await writesOf(['WITH held AS', 'FROM roles WHERE ($1::uuid IS NULL OR id > $1)'], list);
    expectOneRoundTrip(check);
    expectOneRoundTrip(page);
  });
});
