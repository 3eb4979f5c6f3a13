import Redis from 'ioredis';
import type { AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
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
    redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
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
    const key = limiter.key('count');
    await redis.script('FLUSH'); // Redis has not seen it: the first call falls back to the text once
    expect(await limiter.script<number>(COUNT_UP, [key], [2])).toBe(2);
    expect(await limiter.script<number>(COUNT_UP, [key], [3])).toBe(5);
    expect(await limiter.script<number>(COUNT_UP, [key], [1])).toBe(6);
    await new Promise((r) => setTimeout(r, 100)); // MONITOR lines arrive after the replies
    // MONITOR also shows the commands each script runs; only how the scripts were sent matters here.
    const commands = seen.map((args) => args[0].toLowerCase()).filter((c) => c === 'eval' || c === 'evalsha');
    // Three calls, the script's text sent once (the first), every later call by SHA.
    expect(commands.filter((c) => c === 'eval')).toHaveLength(1);
    expect(commands.slice(-2)).toEqual(['evalsha', 'evalsha']);
  });

  it('answers 503 service.unavailable when Redis cannot run the script', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    const limiter = new RateLimiter(dead, config);
    const refusal = await limiter.script(COUNT_UP, [limiter.key('dead')], [1]).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(DomainError);
    expect((refusal as DomainError).code).toBe('service.unavailable');
    dead.disconnect();
  });
});
