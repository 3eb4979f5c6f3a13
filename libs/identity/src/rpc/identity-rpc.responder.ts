import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { IDENTITY_RPC } from '@credence/contracts';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RedisStreamsServer } from '@credence/redis-streams-transport';
import { AccessCheckHandler } from './access-check/access-check.handler';
import { TokenValidateHandler } from './token-validate/token-validate.handler';

/**
 * Answers identity.token.validate and identity.access.check on the Redis Streams transport. Every
 * process that serves identity answers as one consumer group, so requests spread over them.
 */
@Injectable()
export class IdentityRpcResponder implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: RedisStreamsServer;
  private retry?: NodeJS.Timeout;
  private stopped = false;
  private readonly log = new Logger('IdentityRpc');

  constructor(
    @Inject(APP_CONFIG) private readonly app: AppConfig,
    private readonly tokens: TokenValidateHandler,
    private readonly access: AccessCheckHandler,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.app.EVENTS_RPC_ENABLED || this.app.EVENTS_TRANSPORT !== 'redis-streams') return;
    void this.start(0);
  }

  /** In the background, retried: a transport that is down at boot must not keep the process from serving HTTP. */
  private async start(attempt: number): Promise<void> {
    if (this.stopped) return;
    const server = new RedisStreamsServer({ url: this.app.EVENTS_TRANSPORT_URL ?? this.app.REDIS_URL, prefix: this.app.REDIS_PREFIX, group: this.app.EVENTS_RPC_GROUP });
    server.addHandler(IDENTITY_RPC.tokenValidate, (data: unknown) => this.tokens.handle(data));
    server.addHandler(IDENTITY_RPC.accessCheck, (data: unknown) => this.access.handle(data));
    try {
      await new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));
      this.server = server;
      this.log.log(`answering ${Object.values(IDENTITY_RPC).join(', ')} on Redis Streams`);
    } catch (err) {
      await server.close().catch(() => undefined);
      if (attempt === 0) this.log.warn(`cannot answer identity RPC yet (${(err as Error).message}); retrying`);
      this.retry = setTimeout(() => void this.start(attempt + 1), Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.server?.close();
  }
}
