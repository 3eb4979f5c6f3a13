import { eventOwner, PLATFORM_OWNER } from './webhook-units';

const TENANT = '01a2142a-bba1-714e-a09f-5042f3343438';

describe('eventOwner', () => {
  it('sends platform events to the platform only: tenant lifecycle (about a tenant) and tenantid platform', () => {
    for (const type of ['tenant.onboarded', 'tenant.suspended', 'tenant.deleted']) expect(eventOwner({ type, tenantid: TENANT } as never)).toBe(PLATFORM_OWNER);
    for (const type of ['platform.api_key.created', 'retention.run.completed', 'webhook.created'])
      expect(eventOwner({ type, tenantid: 'platform' } as never)).toBe(PLATFORM_OWNER);
  });

  it("sends every other event to its tenant's webhooks only", () => {
    for (const type of ['user.created', 'auth.login.failed', 'webhook.created', 'tenantx.thing']) expect(eventOwner({ type, tenantid: TENANT } as never)).toBe(TENANT);
  });

  it('sends an event without a tenant nowhere', () => {
    expect(eventOwner({ type: 'user.created', tenantid: '' } as never)).toBeUndefined();
    expect(eventOwner({ type: 'user.created' } as never)).toBeUndefined();
  });
});
