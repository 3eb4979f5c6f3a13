import { EndpointSlots, MAX_PARK_MS, PER_ENDPOINT } from './endpoint-slots';

const TIMEOUT = 3_000;

describe('EndpointSlots', () => {
  let clock: number;
  let slots: EndpointSlots;
  beforeEach(() => {
    clock = 1_000_000;
    slots = new EndpointSlots(TIMEOUT, () => clock);
  });

  const fill = async (id: string, n: number) => {
    const got: number[] = [];
    for (let i = 0; i < n; i++) got.push((await slots.acquire(id))!);
    return got;
  };

  it('gives an endpoint PER_ENDPOINT attempts at once; another endpoint is not affected', async () => {
    const taken = await fill('a', PER_ENDPOINT);
    expect(taken.every((t) => t === clock)).toBe(true);
    clock += 1_500; // the oldest attempt is past the in-process wait and nothing answered
    expect(await slots.acquire('a')).toBeUndefined();
    expect(await slots.acquire('b')).toBe(clock);
  });

  it('a timeout is not an answer: the endpoint turns silent, keeps one probe and nobody waits for it', async () => {
    const [first, ...rest] = await fill('a', PER_ENDPOINT);
    clock += TIMEOUT;
    slots.release('a', first, false);
    expect(slots.silent('a')).toBe(true);
    // Three attempts are still out, more than a silent endpoint's one: no slot, and no wait in process.
    expect(await slots.acquire('a')).toBeUndefined();
    for (const at of rest) slots.release('a', at, false);
    const probe = await slots.acquire('a');
    expect(probe).toBe(clock);
    expect(await slots.acquire('a')).toBeUndefined();
    slots.release('a', probe!, true);
    expect(slots.silent('a')).toBe(false);
    expect(await fill('a', PER_ENDPOINT)).toHaveLength(PER_ENDPOINT);
  });

  it('parks a silent endpoint’s deliveries for as long as it has been silent: one timeout at least, MAX_PARK_MS at most', async () => {
    const [at] = await fill('a', 1);
    slots.release('a', at, false);
    const parked = () => Array.from({ length: 50 }, () => slots.park('a', 'job'));
    for (const w of parked()) expect(w).toBeGreaterThanOrEqual(TIMEOUT);
    clock += 60_000;
    for (const w of parked()) expect(w).toBeGreaterThanOrEqual(60_000);
    for (const w of parked()) expect(w).toBeLessThanOrEqual(90_000);
    clock += 24 * 3600_000;
    for (const w of parked()) expect(w).toBeLessThanOrEqual(MAX_PARK_MS * 1.5);
  });

  it('a busy endpoint that answers: the delivery waits in process and gets the next slot', async () => {
    const taken = await fill('a', PER_ENDPOINT);
    slots.release('a', taken[0], true); // answered: a free slot, taken at once
    await fill('a', 1);
    const waiting = slots.acquire('a');
    clock += 10;
    slots.release('a', taken[1], true);
    expect(await waiting).toBe(clock);
  });

  it('a waiter goes back to the queue when the endpoint it waits for turns silent', async () => {
    const taken = await fill('a', PER_ENDPOINT);
    slots.release('a', taken[0], true);
    await fill('a', 1);
    const waiting = slots.acquire('a');
    slots.release('a', taken[1], false);
    expect(await waiting).toBeUndefined();
  });

  it('names the jobs parked for a silent endpoint when its next answer ends the silence, once', async () => {
    const [at] = await fill('a', 1);
    slots.park('a', 'not-silent-yet'); // only a silent endpoint's parked jobs are remembered
    expect(slots.release('a', at, false)).toEqual([]);
    slots.park('a', 'job-1');
    slots.park('a', 'job-2');
    const [probe] = await fill('a', 1);
    expect(slots.release('a', probe, true)).toEqual(['job-1', 'job-2']);
    const [next] = await fill('a', 1);
    expect(slots.release('a', next, true)).toEqual([]);
  });

  it('a busy endpoint that has not turned silent parks a delivery until its oldest attempt times out', async () => {
    await fill('a', PER_ENDPOINT);
    clock += 1_000;
    const w = slots.park('a', 'job');
    expect(w).toBeGreaterThanOrEqual(TIMEOUT - 1_000 + 100);
    expect(w).toBeLessThanOrEqual(TIMEOUT - 1_000 + 600);
  });
});
