import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DomainError } from '@credence/errors';
import { REDIS, redisScript, RedisScript } from '@credence/redis';

/**
 * Fixed-window counters in Redis, shared by every process. Fails closed: when Redis cannot be
 * reached the caller gets 503, never an unlimited pass.
 */
@Injectable()
export class RateLimiter {
  /** Each script as a command of the client, by its text and key count: sent by SHA, not as text on every call. */
  private readonly scripts = new Map<string, RedisScript<unknown>>();

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

  /** Runs a Lua script atomically in Redis; 503 when Redis cannot run it. */
  async script<T>(lua: string, keys: string[], args: (string | number)[]): Promise<T> {
    try {
      return (await this.command(lua, keys.length)(...keys, ...args)) as T;
    } catch {
      throw new DomainError('service.unavailable', 'Rate limits cannot be checked.');
    }
  }

  private command(lua: string, numberOfKeys: number): RedisScript<unknown> {
    const id = `${numberOfKeys}:${lua}`;
    let command = this.scripts.get(id);
    if (!command) {
      const name = `credenceLimit_${numberOfKeys}_${createHash('sha1').update(lua).digest('hex').slice(0, 16)}`;
      command = redisScript<unknown>(this.redis, name, numberOfKeys, lua);
      this.scripts.set(id, command);
    }
    return command;
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(key).catch(() => undefined);
  }
}
