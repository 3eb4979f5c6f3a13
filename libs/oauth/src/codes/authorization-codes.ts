import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { newSecretToken, sha256 } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { REDIS, redisScript, RedisScript } from '@credence/redis';
import { AuthorizationGrant } from './authorization-grant';

/** RFC 6749 §4.1.2 recommends at most ten minutes; the contract says 60 s. */
export const CODE_TTL_SECONDS = 60;
/** How long a spent code is remembered, so that a late replay still revokes what the first use issued. */
const SPENT_TTL_SECONDS = 600;

const CODE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Spends a code: the first caller gets the grant; a later one marks the code replayed and learns the
 * session the first use started (if it finished), to revoke it. The mark is "pending" until attach().
 */
const CONSUME = `
local spent = redis.call('GET', KEYS[2])
if spent then
  redis.call('SET', KEYS[2], 'replayed', 'KEEPTTL')
  if spent == 'pending' or spent == 'replayed' then return {'replayed', ''} end
  return {'replayed', spent}
end
local grant = redis.call('GET', KEYS[1])
if not grant then return {'unknown', ''} end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], 'pending', 'EX', ARGV[1])
return {'granted', grant}`;

/** Records the session a code started; tells the caller when a replay came in the meantime. */
const ATTACH = `
local spent = redis.call('GET', KEYS[1])
if spent == 'pending' then
  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
  return 'attached'
end
return 'replayed'`;

export type CodeRedemption = { kind: 'granted'; grant: AuthorizationGrant } | { kind: 'unknown' } | { kind: 'replayed'; sessionId?: string };

/**
 * Authorization codes of the tenant in context, in Redis: 256 random bits, of which only the SHA-256
 * names the key, so a Redis dump holds no usable code. Consumption is one atomic script: of two
 * concurrent exchanges exactly one gets the grant.
 */
@Injectable()
export class AuthorizationCodes {
  private readonly consumeScript: RedisScript<[string, string]>;
  private readonly attachScript: RedisScript<string>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly context: RequestContext,
  ) {
    this.consumeScript = redisScript(redis, 'oauthCodeConsume', 2, CONSUME);
    this.attachScript = redisScript(redis, 'oauthCodeAttach', 1, ATTACH);
  }

  async issue(grant: AuthorizationGrant): Promise<string> {
    const code = newSecretToken();
    await this.guard(this.redis.set(this.keys(code).grant, JSON.stringify(grant), 'EX', CODE_TTL_SECONDS));
    return code;
  }

  async consume(code: string): Promise<CodeRedemption> {
    if (!CODE.test(code)) return { kind: 'unknown' };
    const k = this.keys(code);
    const [kind, value] = await this.guard(this.consumeScript(k.grant, k.spent, SPENT_TTL_SECONDS));
    if (kind === 'granted') return { kind, grant: JSON.parse(value) as AuthorizationGrant };
    if (kind === 'replayed') return value ? { kind, sessionId: value } : { kind };
    return { kind: 'unknown' };
  }

  /** After the exchange committed its session: 'replayed' means the code was presented again meanwhile, and the caller must revoke it. */
  async attach(code: string, sessionId: string): Promise<'attached' | 'replayed'> {
    return (await this.guard(this.attachScript(this.keys(code).spent, sessionId))) as 'attached' | 'replayed';
  }

  private keys(code: string) {
    const base = `${this.config.REDIS_PREFIX}:oauth:code:${this.context.requireTenant().id}:${sha256(code).toString('hex')}`;
    return { grant: base, spent: `${base}:spent` };
  }

  private async guard<T>(op: Promise<T>): Promise<T> {
    try {
      return await op;
    } catch {
      throw new DomainError('service.unavailable');
    }
  }
}
