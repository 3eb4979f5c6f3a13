import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import { REDIS, redisScript } from '@credence/redis';

/** A script bound by RateLimiter.define: its keys, then its arguments. */
export type LimiterScript<T> = (keys: string[], args: (string | number)[]) => Promise<T>;

/**
 * Fixed-window counters in Redis, shared by every process. Fails closed: when Redis cannot be
 * reached the caller gets 503, never an unlimited pass.
 */
@Injectable()
export class RateLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  key(...parts: string[]): string {
    return `${this.config.REDIS_PREFIX}:${parts.join(':')}`;
  }

  /** Counts one hit; returns the count in the window and the seconds until the window ends. */
  async hit(key: string, windowSeconds: number): Promise<{ count: number; resetIn: number }> {
    try {
      const [[, count], [, ttl]] = (await this.redis.multi().incr(key).ttl(key).exec()) as [[null, number], [null, number]];
      if (ttl < 0) await this.redis.expire(key, windowSeconds);
      return { count, resetIn: ttl < 0 ? windowSeconds : ttl };
    } catch {
      throw new DomainError('service.unavailable', 'Rate limits cannot be checked.');
    }
  }

  /** Throws 429 auth.rate_limited with Retry-After once `limit` hits are exceeded in the window. */
  async enforce(key: string, limit: number, windowSeconds: number): Promise<void> {
    const { count, resetIn } = await this.hit(key, windowSeconds);
    if (count > limit) throw new DomainError('auth.rate_limited', undefined, undefined, { 'Retry-After': String(Math.max(1, resetIn)) });
  }

  async ttl(key: string): Promise<number> {
    try {
      return await this.redis.ttl(key);
    } catch {
      throw new DomainError('service.unavailable', 'Rate limits cannot be checked.');
    }
  }

  /**
   * The TTLs of several keys (a key without expiry or absent: a negative number). Plain commands, not a
   * pipeline of their own: the shared client auto-pipelines them with whatever else this tick sends (the
   * token endpoint's client lookup), one socket write instead of two.
   */
  async ttls(keys: string[]): Promise<number[]> {
    try {
      return await Promise.all(keys.map((k) => this.redis.ttl(k)));
    } catch {
      throw new DomainError('service.unavailable', 'Rate limits cannot be checked.');
    }
  }

  async set(key: string, seconds: number): Promise<void> {
    try {
      await this.redis.set(key, '1', 'EX', seconds);
    } catch {
      throw new DomainError('service.unavailable', 'Rate limits cannot be recorded.');
    }
  }

  /**
   * A Lua script as a command of the shared client, run atomically in Redis by SHA (its text is sent
   * only when Redis does not know it); the returned function answers 503 when Redis cannot run it.
   * Call it from a constructor: ioredis gives a command only to auto-pipelines made after it is
   * defined, and one defined while a pipeline waits fails and throws out of the pipeline.
   */
  define<T>(lua: string, numberOfKeys: number): LimiterScript<T> {
    const name = `credenceLimit_${numberOfKeys}_${createHash('sha1').update(lua).digest('hex').slice(0, 16)}`;
    const command = redisScript<T>(this.redis, name, numberOfKeys, lua);
    return async (keys, args) => {
      if (keys.length !== numberOfKeys) throw new Error(`${name} takes ${numberOfKeys} keys, got ${keys.length}`);
      try {
        return await command(...keys, ...args);
      } catch {
        throw new DomainError('service.unavailable', 'Rate limits cannot be checked.');
      }
    };
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(key).catch(() => undefined);
  }
}
