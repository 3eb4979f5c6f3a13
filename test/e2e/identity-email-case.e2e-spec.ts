import { LogOtpSender } from '@credence/identity';
import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';
import { onboard, PASSWORD, Tenant } from './identity-authz-fixture';

/**
 * JavaScript and Postgres lower-case some letters differently: 'İ' (JavaScript gives 'i' and a
 * combining dot, Postgres 'i') and a final 'Σ' (JavaScript 'ς', Postgres 'σ'). Addresses are found
 * through the lower(email) index, so the lower-casing must be Postgres's on both sides: with
 * JavaScript's on the typed side, such an account could not sign in even as spelled when created.
 */
describe('sign-in with addresses JavaScript lower-cases differently from Postgres', () => {
  let t: TestApp;
  let tenant: Tenant;
  let sender: LogOtpSender;
  /** Each address with other spellings its owner may type (Postgres lower-cases them all alike). */
  const spellings: Record<string, string[]> = {
    'İnci@case.example': ['İnci@case.example', 'inci@case.example', 'INCI@CASE.EXAMPLE', ' İnci@case.example '],
    'ΟΔΥΣΣΕΥΣ@case.example': ['ΟΔΥΣΣΕΥΣ@case.example', 'οδυσσευσ@case.example', 'ΟΔΥΣΣΕΥΣ@CASE.EXAMPLE', 'Οδυσσευσ@case.example'],
  };
  const addresses = Object.keys(spellings);

  beforeAll(async () => {
    t = await startTestApp([AuthAppModule]);
    sender = t.app.get(LogOtpSender);
    tenant = await onboard(t, 'case');
    for (const email of addresses) expect((await t.call('POST', `/v1/t/${tenant.slug}/users`, { email, password: PASSWORD }, { auth: tenant.admin })).status).toBe(201);
  });
  afterAll(() => t?.close());

  it.each(addresses)('signs %s in with a password, however its case is typed', async (email) => {
    for (const typed of spellings[email]) {
      const res = await t.call('POST', `/v1/t/${tenant.slug}/auth/login`, { email: typed, password: PASSWORD }, { auth: false });
      expect({ typed, status: res.status, user: res.body.user?.email }).toEqual({ typed, status: 200, user: email });
    }
  });

  it.each(addresses)('sends %s a one-time code that signs in, and counts its spellings as one address', async (email) => {
    const [, other, shouted] = spellings[email];
    expect((await t.call('POST', `/v1/t/${tenant.slug}/auth/otp/request`, { email: other }, { auth: false })).status).toBe(202);
    const code = sender.lastSent(email)?.code;
    expect(code).toMatch(/^[0-9]{6}$/);
    // The resend interval is per address, whichever case asks.
    const again = await t.call('POST', `/v1/t/${tenant.slug}/auth/otp/request`, { email: shouted }, { auth: false });
    expect(again.status).toBe(429);
    const res = await t.call('POST', `/v1/t/${tenant.slug}/auth/otp/verify`, { email, code }, { auth: false });
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(email);
  });
});
