import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@credence/config';

export const REDIS = Symbol('REDIS');

/**
 * The request path's connection. Every command gives up after `commandTimeoutMs`, so a stalled
 * Redis answers 503 at once instead of holding requests for as long as it stalls. Never used for
 * blocking reads (BullMQ and the stream transport keep connections of their own).
 */
export function createRedis(url: string, name: string, commandTimeoutMs?: number): Redis {
  return new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: false,
    lazyConnect: false,
    commandTimeout: commandTimeoutMs,
    enableAutoPipelining: true,
  });
}

/** True when a Redis server answers PING at the URL within the timeout (a stalled one that accepts the connection but never answers is false too). */
export async function redisAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    enableReadyCheck: false,
    enableOfflineQueue: false,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => {
        const redis = createRedis(c.REDIS_URL, 'credence', c.REDIS_COMMAND_TIMEOUT_MS);
        redis.on('error', () => undefined); // surfaced through /health; ioredis reconnects by itself
        return redis;
      },
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}
