import { eventOwners, PLATFORM_OWNER } from './webhook-units';

const TENANT = '01a2142a-bba1-714e-a09f-5042f3343438';

describe('eventOwners', () => {
  it('sends tenant lifecycle events to the platform and the tenant they are about, tenantid platform to the platform only', () => {
    for (const type of ['tenant.onboarded', 'tenant.suspended', 'tenant.deleted']) expect(eventOwners({ type, tenantid: TENANT } as never)).toEqual([PLATFORM_OWNER, TENANT]);
    for (const type of ['platform.api_key.created', 'retention.run.completed', 'webhook.created'])
      expect(eventOwners({ type, tenantid: 'platform' } as never)).toEqual([PLATFORM_OWNER]);
  });

  it("sends every other event to its tenant's webhooks only", () => {
    for (const type of ['user.created', 'auth.login.failed', 'webhook.created', 'tenantx.thing']) expect(eventOwners({ type, tenantid: TENANT } as never)).toEqual([TENANT]);
  });

  it('sends an event without a tenant nowhere', () => {
    expect(eventOwners({ type: 'user.created', tenantid: '' } as never)).toEqual([]);
    expect(eventOwners({ type: 'user.created' } as never)).toEqual([]);
  });
});
