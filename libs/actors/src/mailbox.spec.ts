import { setTimeout as sleep } from 'node:timers/promises';
import { Mailboxes } from './mailbox';

/** A promise with its resolve/reject exposed, to decide from the test when a handler finishes. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => sleep(0);

describe('Mailboxes', () => {
  it('runs the messages for one key one at a time, in arrival order, even when handlers await and some throw', async () => {
    const boxes = new Mailboxes();
    const log: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const handler = (i: number) => async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      log.push(`start ${i}`);
      // Uneven waits: a later message would finish first if they overlapped.
      await sleep((7 - (i % 7)) * 2);
      await Promise.resolve();
      log.push(`end ${i}`);
      inFlight--;
      if (i % 3 === 1) throw new Error(`boom ${i}`);
      return i * 10;
    };
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => boxes.deliver('tenant/acme', handler(i))));

    expect(maxInFlight).toBe(1);
    expect(log).toEqual(Array.from({ length: 12 }, (_, i) => [`start ${i}`, `end ${i}`]).flat());
    results.forEach((r, i) => {
      if (i % 3 === 1) expect(r).toEqual({ status: 'rejected', reason: new Error(`boom ${i}`) });
      else expect(r).toEqual({ status: 'fulfilled', value: i * 10 });
    });
  });

  it('does not start the next message before the current one settles', async () => {
    const boxes = new Mailboxes();
    const first = deferred<string>();
    const started: number[] = [];
    const a = boxes.deliver('k', () => {
      started.push(1);
      return first.promise;
    });
    const b = boxes.deliver('k', async () => {
      started.push(2);
      return 'b';
    });
    await flush();
    await flush();
    expect(started).toEqual([1]);
    first.reject(new Error('first failed'));
    await expect(a).rejects.toThrow('first failed');
    await expect(b).resolves.toBe('b');
    expect(started).toEqual([1, 2]);
  });

  it('runs a handler that throws synchronously as a rejection, and carries on', async () => {
    const boxes = new Mailboxes();
    const bad = boxes.deliver('k', () => {
      throw new Error('sync');
    });
    const good = boxes.deliver('k', async () => 'after');
    await expect(bad).rejects.toThrow('sync');
    await expect(good).resolves.toBe('after');
  });

  it('keeps arrival order for messages delivered while others run', async () => {
    const boxes = new Mailboxes();
    const order: number[] = [];
    const gate = deferred();
    const p1 = boxes.deliver('k', async () => {
      await gate.promise;
      order.push(1);
    });
    await flush();
    const p2 = boxes.deliver('k', async () => {
      order.push(2);
    });
    const p3 = boxes.deliver('k', async () => {
      await sleep(5);
      order.push(3);
    });
    await flush();
    const p4 = boxes.deliver('k', async () => {
      order.push(4);
    });
    gate.resolve();
    await Promise.all([p1, p2, p3, p4]);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('runs different keys concurrently', async () => {
    const boxes = new Mailboxes();
    const gateA = deferred();
    const started: string[] = [];
    const a = boxes.deliver('a', async () => {
      started.push('a');
      await gateA.promise;
      return 'a';
    });
    const b = boxes.deliver('b', async () => {
      started.push('b');
      return 'b';
    });
    // b finishes while a is still blocked: a's key does not hold b's.
    await expect(b).resolves.toBe('b');
    expect(started).toEqual(['a', 'b']);
    let aDone = false;
    void a.then(() => (aDone = true));
    await flush();
    expect(aDone).toBe(false);
    gateA.resolve();
    await expect(a).resolves.toBe('a');
  });

  it('has as many in flight at once as there are keys', async () => {
    const boxes = new Mailboxes();
    let inFlight = 0;
    let maxInFlight = 0;
    const work = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(10);
      inFlight--;
    };
    await Promise.all(['a', 'b', 'c', 'd'].flatMap((k) => [boxes.deliver(k, work), boxes.deliver(k, work)]));
    expect(maxInFlight).toBe(4);
  });

  it('empties its map once every key has drained, including after failures', async () => {
    const boxes = new Mailboxes();
    expect(boxes.size).toBe(0);
    const gate = deferred();
    const all = [
      boxes.deliver('a', () => gate.promise),
      boxes.deliver('a', async () => {
        throw new Error('x');
      }),
      boxes.deliver('b', () => gate.promise),
      boxes.deliver('c', async () => 1),
    ];
    expect(boxes.size).toBe(3);
    await all[3];
    await flush();
    expect(boxes.size).toBe(2); // c drained; a and b still wait on the gate
    gate.resolve();
    await Promise.allSettled(all);
    await flush();
    expect(boxes.size).toBe(0);
  });

  it('keeps the key while a message delivered during the drain is pending', async () => {
    const boxes = new Mailboxes();
    const gate = deferred();
    const first = boxes.deliver('k', async () => 1);
    await first;
    const second = boxes.deliver('k', () => gate.promise);
    await flush();
    expect(boxes.size).toBe(1);
    gate.resolve();
    await second;
    await flush();
    expect(boxes.size).toBe(0);
  });
});
