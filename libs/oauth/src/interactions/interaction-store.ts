import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { sameHash, sha256 } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { REDIS, redisScript, RedisScript } from '@credence/redis';
import { Interaction, NewInteraction } from './interaction';

/** An interaction lives ten minutes: long enough to type a password or fetch a code from a mailbox. */
export const INTERACTION_TTL_SECONDS = 600;

const ID = /^[0-9a-f-]{36}$/;

/**
 * Removes the interaction only for the browser that started it (its binding's hash matches), so another
 * browser's attempt leaves it in place; one round trip where a GET then a GETDEL took two.
 */
const TAKE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local ok, interaction = pcall(cjson.decode, raw)
if not ok or type(interaction) ~= 'table' or interaction.binding ~= ARGV[1] then return false end
redis.call('DEL', KEYS[1])
return raw`;

/** Interactions of the tenant in context, in Redis (shared by every process, gone after ten minutes). */
@Injectable()
export class InteractionStore {
  private readonly takeScript: RedisScript<string | null>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly context: RequestContext,
  ) {
    this.takeScript = redisScript(redis, 'oauthInteractionTake', 1, TAKE);
  }

  async create(fields: NewInteraction): Promise<Interaction> {
    const interaction: Interaction = {
      ...fields,
      id: randomUUID(),
      tenantId: this.context.requireTenant().id,
      csrf: randomBytes(32).toString('base64url'),
      createdAt: Date.now(),
    };
    await this.guard(this.redis.set(this.key(interaction.id), JSON.stringify(interaction), 'EX', INTERACTION_TTL_SECONDS));
    return interaction;
  }

  /** The interaction, when it exists, is this tenant's and was started by the browser holding `bindingCookie`. */
  async load(id: string | undefined, bindingCookie: string | undefined): Promise<Interaction | undefined> {
    if (!id || !ID.test(id)) return undefined;
    const raw = await this.guard(this.redis.get(this.key(id)));
    return this.accept(raw, bindingCookie);
  }

  /** Like load, but removes it: an interaction completes once, whoever asks twice at the same moment. */
  async take(id: string, bindingCookie: string | undefined): Promise<Interaction | undefined> {
    if (!ID.test(id) || !bindingCookie) return undefined;
    const raw = await this.guard(this.takeScript(this.key(id), sha256(bindingCookie).toString('hex')));
    return this.accept(raw, bindingCookie);
  }

  private accept(raw: string | null, bindingCookie: string | undefined): Interaction | undefined {
    if (!raw || !bindingCookie) return undefined;
    const interaction = JSON.parse(raw) as Interaction;
    if (interaction.tenantId !== this.context.requireTenant().id) return undefined;
    return sameHash(Buffer.from(interaction.binding, 'hex'), sha256(bindingCookie)) ? interaction : undefined;
  }

  private key(id: string): string {
    return `${this.config.REDIS_PREFIX}:oauth:interaction:${this.context.requireTenant().id}:${id}`;
  }

  private async guard<T>(op: Promise<T>): Promise<T> {
    try {
      return await op;
    } catch {
      throw new DomainError('service.unavailable');
    }
  }
}
