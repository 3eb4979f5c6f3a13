import { setTimeout as sleep } from 'node:timers/promises';
import { Semaphore } from './semaphore';

/** Wraps work so the test can see how many run at once. */
function tracker() {
  const state = { inFlight: 0, max: 0, done: 0 };
  const work =
    (ms: number, fail = false) =>
    async () => {
      state.inFlight++;
      state.max = Math.max(state.max, state.inFlight);
      try {
        await sleep(ms);
        if (fail) throw new Error('work failed');
        return ms;
      } finally {
        state.inFlight--;
        state.done++;
      }
    };
  return { state, work };
}

describe('Semaphore', () => {
  it.each([1, 2, 3, 8])('never has more than %i in flight, and uses all of them', async (limit) => {
    const sem = new Semaphore(limit);
    const { state, work } = tracker();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => sem.run(work((i * 7) % 5))));
    expect(state.max).toBe(limit);
    expect(state.done).toBe(40);
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => (i * 7) % 5));
  });

  it('frees the slot when work fails, and passes the failure on', async () => {
    const sem = new Semaphore(2);
    const { state, work } = tracker();
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => sem.run(work(2, i % 2 === 0))));
    expect(state.max).toBe(2);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(10);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    // Every slot came back: two more run together straight away.
    const { state: after, work: again } = tracker();
    await Promise.all([sem.run(again(5)), sem.run(again(5))]);
    expect(after.max).toBe(2);
  });

  it('frees the slot when work throws synchronously', async () => {
    const sem = new Semaphore(1);
    await expect(
      sem.run(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(sem.run(async () => 'next')).resolves.toBe('next');
  });

  it('holds the limit when new work arrives just as a slot frees up', async () => {
    const sem = new Semaphore(2);
    const { state, work } = tracker();
    const all: Promise<unknown>[] = [];
    // Callers join at every microtask and timer boundary while earlier work finishes.
    for (let round = 0; round < 30; round++) {
      all.push(sem.run(work(round % 3)));
      all.push(Promise.resolve().then(() => sem.run(work(0))));
      all.push(sleep(round % 4).then(() => sem.run(work(1))));
      if (round % 5 === 0) await sleep(1);
    }
    await Promise.all(all);
    expect(state.max).toBeLessThanOrEqual(2);
    expect(state.done).toBe(90);
  });

  it('serves waiters in arrival order', async () => {
    const sem = new Semaphore(1);
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        sem.run(async () => {
          await sleep(10 - i);
          order.push(i);
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
