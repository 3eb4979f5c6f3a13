import { Server } from '@nestjs/microservices';
import { RedisStreamsServer } from './redis-streams.server';

class NestRoutes extends Server {
  listen(): void {}
  close(): void {}
  on(): void {}
  unwrap<T>(): T {
    throw new Error('not used');
  }
  route(pattern: string): string {
    return this.getRouteFromPattern(pattern);
  }
}

/** The server remembers pattern routes; what it answers must stay what Nest itself would. */
describe('RedisStreamsServer routes', () => {
  const server = new RedisStreamsServer({ url: 'redis://127.0.0.1:6379', group: 'routes-spec', prefix: 'routes-spec' });
  const nest = new NestRoutes();

  it.each([['auth.login.succeeded'], ['{"cmd":"identity.token.validate"}'], ['{"b":1,"a":"x"}'], ['not {json']])(
    'routes %s as Nest does, the first time and from memory',
    (pattern) => {
      const expected = nest.route(pattern);
      expect(server.getRouteFromPattern(pattern)).toBe(expected);
      expect(server.getRouteFromPattern(pattern)).toBe(expected);
    },
  );

  it('finds the handler registered for an event type', () => {
    const handler = Object.assign(async () => undefined, { isEventHandler: true });
    server.addHandler('user.created', handler, true);
    expect(server.getHandlerByPattern('user.created')).toBe(handler);
    expect(server.getHandlerByPattern('user.deleted')).toBeNull();
  });
});
