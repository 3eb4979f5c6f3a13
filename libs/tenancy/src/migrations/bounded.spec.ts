import { setTimeout as sleep } from 'node:timers/promises';
import { mapBounded } from './bounded';

describe('mapBounded', () => {
  it.each([1, 3, 4, 10])('never has more than %i in flight, and reaches the limit', async (limit) => {
    let inFlight = 0;
    let max = 0;
    const items = Array.from({ length: 25 }, (_, i) => i);
    await mapBounded(items, limit, async (i) => {
      inFlight++;
      max = Math.max(max, inFlight);
      await sleep((i * 3) % 7);
      inFlight--;
      return i;
    });
    expect(max).toBe(Math.min(limit, items.length));
  });

  it('keeps results in item order even when later items finish first', async () => {
    const items = [50, 1, 30, 2, 20, 3, 10];
    const finished: number[] = [];
    const results = await mapBounded(items, 3, async (ms) => {
      await sleep(ms);
      finished.push(ms);
      return `done ${ms}`;
    });
    expect(finished).not.toEqual(items); // they did finish out of order
    expect(results).toEqual(items.map((ms) => ({ status: 'fulfilled', value: `done ${ms}` })));
  });

  it('isolates failures: one item failing neither stops nor changes the others', async () => {
    const seen: string[] = [];
    const results = await mapBounded(['a', 'bad-1', 'b', 'bad-2', 'c', 'd'], 2, async (t) => {
      seen.push(t);
      await sleep(1);
      if (t.startsWith('bad')) throw new Error(`migration failed for ${t}`);
      return t.toUpperCase();
    });
    expect(seen.sort()).toEqual(['a', 'b', 'bad-1', 'bad-2', 'c', 'd']);
    expect(results).toEqual([
      { status: 'fulfilled', value: 'A' },
      { status: 'rejected', reason: new Error('migration failed for bad-1') },
      { status: 'fulfilled', value: 'B' },
      { status: 'rejected', reason: new Error('migration failed for bad-2') },
      { status: 'fulfilled', value: 'C' },
      { status: 'fulfilled', value: 'D' },
    ]);
  });

  it('never rejects, even when every item fails (synchronously or not)', async () => {
    const results = await mapBounded([1, 2, 3], 2, (i) => {
      if (i === 2) throw new Error('sync');
      return Promise.reject(new Error(`async ${i}`));
    });
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('sync'));
  });

  it('calls fn exactly once per item', async () => {
    const calls = new Map<number, number>();
    const items = Array.from({ length: 30 }, (_, i) => i);
    await mapBounded(items, 4, async (i) => {
      calls.set(i, (calls.get(i) ?? 0) + 1);
      await sleep(i % 3);
    });
    expect([...calls.keys()].sort((a, b) => a - b)).toEqual(items);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
  });

  it('starts the next item as soon as a slot frees, not in batches', async () => {
    const started: number[] = [];
    const t0 = Date.now();
    const at: Record<number, number> = {};
    await mapBounded([0, 1, 2], 2, async (i) => {
      started.push(i);
      at[i] = Date.now() - t0;
      await sleep(i === 0 ? 5 : 200);
    });
    expect(started).toEqual([0, 1, 2]);
    expect(at[2]).toBeLessThan(150); // item 2 took item 0's slot, without waiting for item 1
  });

  it('returns an empty list for no items', async () => {
    const fn = jest.fn();
    expect(await mapBounded([], 4, fn)).toEqual([]);
    expect(fn).not.toHaveBeenCalled();
  });
});
