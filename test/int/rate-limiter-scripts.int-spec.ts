import Redis from 'ioredis';
import type { AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import { AccountLockout } from '../../libs/identity/src/login/account-lockout';
import { RateLimiter } from '../../libs/identity/src/login/rate-limiter';

const COUNT_UP = `local n = redis.call('INCRBY', KEYS[1], ARGV[1]) redis.call('EXPIRE', KEYS[1], 60) return n`;

describe('RateLimiter scripts (real Redis)', () => {
  const prefix = `${process.env.CREDENCE_TEST_REDIS_PREFIX ?? 'credence-test'}-limiter-${Date.now().toString(36)}`;
  const config = { REDIS_PREFIX: prefix } as AppConfig;
  let redis: Redis;
  let monitorBase: Redis;
  let monitor: Redis;
  const seen: string[][] = [];

  beforeAll(async () => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379', { enableAutoPipelining: true }); // as libs/redis makes it
    monitorBase = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
    monitor = await monitorBase.monitor();
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((a) => a.includes(prefix))) seen.push(args);
    });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    monitor.disconnect();
    monitorBase.disconnect();
    redis.disconnect();
  });

  it('sends a script by its SHA once Redis knows it, not its text on every call, with the same results', async () => {
    const limiter = new RateLimiter(redis, config);
    const countUp = limiter.define<number>(COUNT_UP, 1);
    const key = limiter.key('count');
    await redis.script('FLUSH'); // Redis has not seen it: the first call falls back to the text once
    expect(await countUp([key], [2])).toBe(2);
    expect(await countUp([key], [3])).toBe(5);
    expect(await countUp([key], [1])).toBe(6);
    await new Promise((r) => setTimeout(r, 100)); // MONITOR lines arrive after the replies
    // MONITOR also shows the commands each script runs; only how the scripts were sent matters here.
    const commands = seen.map((args) => args[0].toLowerCase()).filter((c) => c === 'eval' || c === 'evalsha');
    // Three calls, the script's text sent once (the first), every later call by SHA.
    expect(commands.filter((c) => c === 'eval')).toHaveLength(1);
    expect(commands.slice(-2)).toEqual(['evalsha', 'evalsha']);
  });

  it('runs a first script call sent in the same tick as other commands (defined up front, not at first use)', async () => {
    // A command defined while an auto-pipeline waited was missing from it: the call failed and the
    // pipeline threw out of ioredis, which took the process down on a first sign-in under load.
    const lockout = new AccountLockout(new RateLimiter(redis, config));
    const tenant = { id: 'tenant-1', slug: 'acme', schema: 't_' + '0'.repeat(32) };
    const [before, reserved, after] = await Promise.all([redis.get(`${prefix}:other`), lockout.reserve(tenant, 'ada@acme.example'), redis.incr(`${prefix}:other`)]);
    expect(before).toBeNull();
    expect(reserved).toBe(0);
    expect(after).toBe(1);
  });

  it('refuses a call with the wrong number of keys before anything reaches Redis', async () => {
    const limiter = new RateLimiter(redis, config);
    await expect(limiter.define(COUNT_UP, 1)([limiter.key('a'), limiter.key('b')], [1])).rejects.toThrow('takes 1 keys, got 2');
  });

  it('answers 503 service.unavailable when Redis cannot run the script', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    const limiter = new RateLimiter(dead, config);
    const refusal = await limiter
      .define(COUNT_UP, 1)([limiter.key('dead')], [1])
      .catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(DomainError);
    expect((refusal as DomainError).code).toBe('service.unavailable');
    dead.disconnect();
  });
});
