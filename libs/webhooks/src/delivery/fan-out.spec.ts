import type { CredenceCloudEvent } from '@credence/contracts';
import type { UnitOfWork } from '@credence/tenancy';
import type { WebhookUnits } from '../scope/webhook-units';
import type { Subscription, WebhookCache } from '../subscriptions/webhook-cache';
import type { DeliverAttempt, DeliveryTarget } from './deliver-attempt';
import { WebhookFanOut } from './fan-out';
import type { WebhookQueue } from './webhook-queue';

const TENANT = '01a2142a-bba1-714e-a09f-5042f3343438';
const OTHER = '01a2142a-bba1-714e-a09f-5042f3343439';
const SUBS: Subscription[] = [
  { id: 'w1', event_types: ['user.*'], exclude_fields: [], include_fields: [] },
  { id: 'w2', event_types: ['user.updated'], exclude_fields: ['data.changed'], include_fields: [] },
];

const event = (id: string, tenantid = TENANT, type = 'user.updated'): CredenceCloudEvent =>
  ({ id, type, tenantid, subject: `user/${id}`, specversion: '1.0', source: 'test', time: '2026-12-06T00:00:00Z', data: { user_id: id, changed: ['name'] } }) as never;

/** The fan-out with its unit of work, cache, queue and worker faked: what it wrote, in how many units, and what it queued. */
function world(failWhen: (rows: { event_id: string }[]) => boolean = () => false) {
  const units: { owner: string; rows: { event_id: string; webhook_id: string; b: number }[]; bodies: string[] }[] = [];
  const jobs: { owner: string; ids: string[] }[] = [];
  const fakeUnits = {
    asSystem: async (owner: string, work: (uow: UnitOfWork) => Promise<unknown>) =>
      work({
        query: async (_sql: string, [rowsJson, bodies]: [string, string[]]) => {
          const rows = JSON.parse(rowsJson) as { id: string; event_id: string; webhook_id: string; b: number }[];
          if (failWhen(rows)) throw new Error('cannot write');
          units.push({ owner, rows, bodies });
          return rows.map((r) => ({ id: r.id, webhook_id: r.webhook_id, event_id: r.event_id, body: bodies[r.b - 1], status: 'pending' }) as DeliveryTarget);
        },
      } as never),
  } as unknown as WebhookUnits;
  const cache = { subscriptions: async () => SUBS } as unknown as WebhookCache;
  const queue = { enqueueFirst: async (owner: string, ids: readonly string[]) => void jobs.push({ owner, ids: [...ids] }) } as unknown as WebhookQueue;
  const deliver = { prime: () => undefined } as unknown as DeliverAttempt;
  return { fanOut: new WebhookFanOut(fakeUnits, cache, queue, deliver), units, jobs };
}

describe('WebhookFanOut', () => {
  it('writes the events of one scope handed over together in one unit of work and queues them as one job', async () => {
    const { fanOut, units, jobs } = world();
    const queued = await Promise.all([fanOut.fanOut(event('e1')), fanOut.fanOut(event('e2')), fanOut.fanOut(event('e3', OTHER)), fanOut.fanOut(event('e4'))]);
    expect(queued).toEqual([2, 2, 2, 2]);
    expect(units.map((u) => [u.owner, [...new Set(u.rows.map((r) => r.event_id))]])).toEqual([
      [TENANT, ['e1', 'e2', 'e4']],
      [OTHER, ['e3']],
    ]);
    expect(jobs.map((j) => [j.owner, j.ids.length])).toEqual([
      [TENANT, 6],
      [OTHER, 2],
    ]);
    // Two filters, so two bodies per event; the subscription excluding data.changed gets a body without it.
    const [tenantUnit] = units;
    expect(tenantUnit.bodies).toHaveLength(6);
    const w2 = tenantUnit.rows.find((r) => r.webhook_id === 'w2' && r.event_id === 'e2')!;
    expect(JSON.parse(tenantUnit.bodies[w2.b - 1]).data).toEqual({ user_id: 'e2' });
  });

  it('queues nothing and writes nothing for events no subscription wants', async () => {
    const { fanOut, units, jobs } = world();
    expect(await fanOut.fanOut(event('e1', TENANT, 'auth.login.failed'))).toBe(0);
    expect(units).toEqual([]);
    expect(jobs).toEqual([]);
  });

  it('writes a failed batch again event by event, so only the event that cannot be written fails', async () => {
    const { fanOut, units } = world((rows) => rows.some((r) => r.event_id === 'bad'));
    const results = await Promise.allSettled([fanOut.fanOut(event('e1')), fanOut.fanOut(event('bad')), fanOut.fanOut(event('e2'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('cannot write'));
    expect(units.map((u) => [...new Set(u.rows.map((r) => r.event_id))])).toEqual([['e1'], ['e2']]);
  });

  it('writes an event handed over twice at once once', async () => {
    const { fanOut, units } = world();
    expect(await Promise.all([fanOut.fanOut(event('e1')), fanOut.fanOut(event('e1'))])).toEqual([2, 2]);
    expect(units[0].rows.map((r) => r.event_id)).toEqual(['e1', 'e1']);
  });
});
