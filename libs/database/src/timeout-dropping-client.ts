import { Client } from 'pg';

const READ_TIMEOUT = 'Query read timeout';

/**
 * pg's `query_timeout` rejects the caller's query but leaves it in flight on the connection, so
 * the connection would go back to the pool with every later query queued behind one that may never
 * answer (a stalled link, a frozen backend). This client closes its socket when that happens: pg
 * then marks it unusable and the pool drops it instead of lending it again.
 */
export class TimeoutDroppingClient extends Client {
  // pg's overloads cannot be forwarded one by one; the arguments pass through untouched.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: unknown, res: unknown) => {
        this.dropOnTimeout(err);
        last(err, res);
      };
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) result.then(undefined, (err: unknown) => this.dropOnTimeout(err));
    return result;
  }

  private dropOnTimeout(err: unknown): void {
    if ((err as Error | undefined)?.message !== READ_TIMEOUT) return;
    (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }
}
