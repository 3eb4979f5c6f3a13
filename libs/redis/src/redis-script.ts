import type Redis from 'ioredis';

/** A Lua script bound to a client: call it with its keys, then its arguments. */
export type RedisScript<R> = (...keysThenArgs: (string | number)[]) => Promise<R>;

/**
 * A Lua script as a command of this client (ioredis `defineCommand`): sent by SHA (EVALSHA) once Redis
 * has it, as text only when Redis does not know it yet. Defined once per client and name, however many
 * providers ask for it.
 *
 * Bind scripts when a provider is built, before the client carries traffic: an auto-pipeline made
 * before the definition lacks the command, so a first call that joins it fails, and ioredis then
 * throws out of the pipeline's callback (an uncaught exception).
 */
export function redisScript<R>(redis: Redis, name: string, numberOfKeys: number, lua: string): RedisScript<R> {
  const commands = redis as unknown as Record<string, RedisScript<R> | undefined>;
  if (typeof commands[name] !== 'function') redis.defineCommand(name, { numberOfKeys, lua });
  return (...keysThenArgs) => commands[name]!.apply(redis, keysThenArgs);
}
