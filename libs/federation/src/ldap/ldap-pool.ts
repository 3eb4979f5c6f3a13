import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Client } from 'ldapts';
import { close, destroy } from './ldap-transport';
import { describeLdapError, LdapUnavailable } from './ldap-unavailable';

/** Idle connections kept per key (per connection and kind), and how long one may stay idle. */
const MAX_IDLE_PER_KEY = 4;
const IDLE_MS = 60_000;

/** One budget for every step of a sign-in: the connection's timeout_ms bounds the whole exchange, not each step. */
export class Deadline {
  private readonly end: number;

  constructor(readonly ms: number) {
    this.end = Date.now() + ms;
  }

  left(): number {
    return this.end - Date.now();
  }
}

/**
 * A small pool of open directory connections per key, one user at a time on each. Two kinds use it:
 * service connections (bound as the connection's service account, for searches) and bind
 * connections (each use is one bind as the signing-in user, so no later use ever runs with that
 * identity). A connection that failed or ran out of time is dropped, never returned; one the
 * directory closed is skipped; idle ones are closed after a minute. Only sockets are kept: the
 * service password is read when a connection is opened and not held here.
 */
@Injectable()
export class LdapPool implements OnModuleDestroy {
  private readonly idle = new Map<string, { client: Client; since: number }[]>();
  private readonly sweeper = setInterval(() => this.sweep(), IDLE_MS / 4).unref();

  /**
   * Runs `work` on a connection of `key` (an idle one, or one `open` makes) within the deadline. Past
   * the deadline the connection is dropped and LdapUnavailable thrown, whatever the directory does.
   */
  async use<T>(key: string, open: () => Promise<Client>, work: (client: Client) => Promise<T>, deadline: Deadline): Promise<T> {
    let client = this.take(key);
    if (!client) {
      const opening = open();
      client = await this.within(deadline, opening, () => void opening.then(destroy, () => undefined));
    }
    const held = client;
    try {
      const result = await this.within(deadline, work(held), () => destroy(held));
      this.give(key, held);
      return result;
    } catch (err) {
      destroy(held);
      throw err instanceof LdapUnavailable ? err : new LdapUnavailable(describeLdapError(err));
    }
  }

  private async within<T>(deadline: Deadline, promise: Promise<T>, onTimeout: () => void): Promise<T> {
    const left = deadline.left();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          onTimeout();
          reject(new LdapUnavailable(`no answer within ${deadline.ms} ms`));
        },
        Math.max(0, left),
      );
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
      // The losing promise must not become an unhandled rejection.
      promise.catch(() => undefined);
    }
  }

  private take(key: string): Client | undefined {
    const list = this.idle.get(key);
    while (list?.length) {
      const { client } = list.pop()!;
      if (client.isConnected) return client;
    }
    return undefined;
  }

  private give(key: string, client: Client): void {
    const list = this.idle.get(key) ?? [];
    if (list.length >= MAX_IDLE_PER_KEY || !client.isConnected) {
      void close(client);
      return;
    }
    list.push({ client, since: Date.now() });
    this.idle.set(key, list);
  }

  private sweep(): void {
    const stale = Date.now() - IDLE_MS;
    for (const [key, list] of this.idle) {
      const keep = list.filter((e) => e.since > stale && e.client.isConnected);
      for (const e of list) if (!keep.includes(e)) void close(e.client);
      if (keep.length) this.idle.set(key, keep);
      else this.idle.delete(key);
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(all.map((e) => close(e.client)));
  }
}
