import { KeyedBatcher } from './keyed-batcher';

describe('KeyedBatcher', () => {
  it('flushes the items of one turn together, per key, and answers each in order', async () => {
    const flushes: [string, number[]][] = [];
    const b = new KeyedBatcher<number, number>(async (key, items) => {
      flushes.push([key, items]);
      return items.map((i) => i * 10);
    });
    const out = await Promise.all([b.submit('a', 1), b.submit('b', 2), b.submit('a', 3)]);
    expect(out).toEqual([10, 20, 30]);
    expect(flushes).toEqual([
      ['a', [1, 3]],
      ['b', [2]],
    ]);
  });

  it('keeps at most maxInFlight flushes per key; what arrives meanwhile goes in the next', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const flushes: number[][] = [];
    const b = new KeyedBatcher<number, void>(
      async (_key, items) => {
        flushes.push(items);
        await gate;
        return items.map(() => undefined);
      },
      100,
      1,
    );
    const first = b.submit('k', 1);
    await new Promise((r) => setImmediate(r));
    const later = [b.submit('k', 2), b.submit('k', 3)];
    await new Promise((r) => setImmediate(r));
    expect(flushes).toEqual([[1]]);
    release();
    await Promise.all([first, ...later]);
    expect(flushes).toEqual([[1], [2, 3]]);
  });

  it('fails every item of a failed flush', async () => {
    const b = new KeyedBatcher<number, number>(async () => {
      throw new Error('down');
    });
    await expect(Promise.all([b.submit('k', 1), b.submit('k', 2)])).rejects.toThrow('down');
  });
});
