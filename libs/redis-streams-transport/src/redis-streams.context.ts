import { BaseRpcContext } from '@nestjs/microservices';

type Args = [stream: string, entryId: string, attempt: number, pattern: string];

/** What `@Ctx()` gives a handler: where the entry came from and which delivery this is. */
export class RedisStreamsContext extends BaseRpcContext<Args> {
  getStream(): string {
    return this.args[0];
  }
  getEntryId(): string {
    return this.args[1];
  }
  /** 1 on the first delivery; higher after a failure or a crash of another consumer. */
  getAttempt(): number {
    return this.args[2];
  }
  getPattern(): string {
    return this.args[3];
  }
}
