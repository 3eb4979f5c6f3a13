import { Logger } from '@nestjs/common';
import { MessageHandler } from '@nestjs/microservices';
import Redis from 'ioredis';
import { lastValueFrom, Observable } from 'rxjs';
import { Delivery } from '../consumer/entry-dispatcher';
import { RedisStreamsContext } from '../redis-streams.context';

/** A request entry: correlation id, reply stream, deadline (epoch ms), data. */
function requestOf(raw: string[]): Record<'c' | 'r' | 'x' | 'd', string | undefined> {
  const f: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) f[raw[i]] = raw[i + 1];
  return { c: f.c, r: f.r, x: f.x, d: f.d };
}

/**
 * Answers request entries of one pattern: runs the @MessagePattern handler and appends
 * `{response}` or `{err}` to the caller's reply stream. Requests past their deadline are dropped:
 * the caller has already given up. Requests are acked whatever the outcome (no redelivery of RPCs).
 */
export class RpcResponder {
  private readonly log = new Logger('RedisStreamsRpc');

  constructor(
    private readonly redis: Redis,
    private readonly group: string,
    /** Answers go only to reply streams under this prefix, whatever a request names. */
    private readonly replyPrefix: string,
    private readonly handler: (pattern: string) => MessageHandler | null,
    private readonly toObservable: (v: unknown) => Observable<unknown>,
  ) {}

  async answer(stream: string, pattern: string, deliveries: Delivery[]): Promise<void> {
    await Promise.all(
      deliveries.map(async ({ entry, attempt }) => {
        const req = requestOf(entry.raw);
        if (!req.c || !req.r?.startsWith(this.replyPrefix) || !req.d || Number(req.x) < Date.now()) return;
        let reply: { response?: unknown; err?: unknown };
        try {
          const handler = this.handler(pattern);
          if (!handler) throw new Error(`no handler for ${pattern}`);
          const ctx = new RedisStreamsContext([stream, entry.id, attempt, pattern]);
          reply = { response: await lastValueFrom(this.toObservable(await handler(JSON.parse(req.d), ctx)), { defaultValue: undefined }) };
        } catch (err) {
          reply = { err: err instanceof Error ? { message: err.message } : err };
        }
        await this.redis
          .multi()
          .xadd(req.r as string, 'MAXLEN', '~', 1_000, '*', 'c', req.c as string, 'w', JSON.stringify(reply))
          .pexpire(req.r as string, 60_000)
          .exec();
      }),
    ).catch((err: Error) => this.log.warn(`answering on ${stream} failed: ${err.message}`));
    if (deliveries.length) await this.redis.xack(stream, this.group, ...deliveries.map((d) => d.entry.id));
  }
}
