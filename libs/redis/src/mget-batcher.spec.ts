import type Redis from 'ioredis';
import { MgetBatcher } from './mget-batcher';

const fakeRedis = (fail = false) => {
  const calls: string[][] = [];
  const redis = { mget: async (keys: string[]) => (calls.push(keys), fail ? Promise.reject(new Error('down')) : keys.map((k) => (k.startsWith('none') ? null : `v:${k}`))) };
  return { redis: redis as unknown as Redis, calls };
};

describe('MgetBatcher', () => {
  it('answers reads asked for in the same turn with one MGET, each with its own values in order', async () => {
    const { redis, calls } = fakeRedis();
    const batcher = new MgetBatcher(redis);
    const answers = await Promise.all([batcher.get(['a', 'b']), batcher.get(['none1']), batcher.get(['c', 'none2', 'd'])]);
    expect(answers).toEqual([['v:a', 'v:b'], [null], ['v:c', null, 'v:d']]);
    expect(calls).toEqual([['a', 'b', 'none1', 'c', 'none2', 'd']]);
    expect(await batcher.get(['e'])).toEqual(['v:e']);
    expect(calls).toHaveLength(2);
  });

  it('fails every read of a failed MGET, and the next turn starts afresh', async () => {
    const { redis } = fakeRedis(true);
    const batcher = new MgetBatcher(redis);
    const reads = [batcher.get(['a']), batcher.get(['b'])];
    for (const r of reads) await expect(r).rejects.toThrow('down');
  });

  it('sends a batch as soon as it holds 512 keys', async () => {
    const { redis, calls } = fakeRedis();
    const batcher = new MgetBatcher(redis);
    const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
    const answers = await Promise.all([batcher.get(keys), batcher.get(keys), batcher.get(['last'])]);
    expect(calls.map((c) => c.length)).toEqual([600, 1]);
    expect(answers[1][299]).toBe('v:k299');
  });
});
