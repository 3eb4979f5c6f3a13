import { Injectable, Module } from '@nestjs/common';
import { type Client, type Entry, SizeLimitExceededError } from 'ldapts';
import type { Connection } from '../connections/connection';
import { ConnectionCache } from '../connections/connection-cache';
import { ConnectionStore } from '../connections/connection-store';
import { OutboundFetch } from '../outbound/outbound-fetch';
import { BINARY_ATTRIBUTES } from './ldap-entry';
import { close, destroy, openLdapClient } from './ldap-transport';
import { describeLdapError, isInvalidCredentials, LdapUnavailable } from './ldap-unavailable';

/**
 * One service-bound connection to a tenant's directory for a whole sync run (libs/sync): paged
 * searches (RFC 2696) handed out page by page, so a big directory never sits in memory at once.
 * Every step (connect, bind, each page) must answer within the connection's timeout_ms, otherwise the
 * socket is dropped and LdapUnavailable thrown: a stalled directory fails the run, it never hangs it.
 */
export class LdapReadSession {
  constructor(
    readonly connection: Connection,
    private readonly client: Client,
  ) {}

  private get timeoutMs(): number {
    return this.connection.ldap!.timeout_ms;
  }

  /** The entries of a subtree search, one page of up to `pageSize` at a time. */
  async *pages(base: string, filter: string, attributes: string[], pageSize: number): AsyncGenerator<Entry[]> {
    const search = this.client.searchPaginated(base, {
      scope: 'sub',
      filter,
      attributes,
      explicitBufferAttributes: BINARY_ATTRIBUTES,
      paged: { pageSize },
      timeLimit: Math.max(1, Math.ceil(this.timeoutMs / 1000)),
    });
    for (;;) {
      const next = await this.within(search.next(), 'search');
      if (next.done) return;
      yield next.value.searchEntries;
    }
  }

  /** The root DSE's values of these attributes (highestCommittedUSN: Active Directory), or an empty entry. */
  async rootDse(attributes: string[]): Promise<Entry> {
    const { searchEntries } = await this.within(this.client.search('', { scope: 'base', filter: '(objectClass=*)', attributes }), 'root DSE');
    return searchEntries[0] ?? { dn: '' };
  }

  async close(): Promise<void> {
    await close(this.client);
  }

  private async within<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        destroy(this.client);
        reject(new LdapUnavailable(`${what}: no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (err) {
      destroy(this.client);
      if (err instanceof SizeLimitExceededError) {
        throw new LdapUnavailable(`${what}: the directory's size limit stopped a paged search (OpenLDAP: give the service account size.prtotal=unlimited)`);
      }
      throw err instanceof LdapUnavailable ? err : new LdapUnavailable(`${what}: ${describeLdapError(err)}`);
    } finally {
      clearTimeout(timer);
      work.catch(() => undefined);
    }
  }
}

/** Opens LdapReadSessions on the LDAP connections of the tenant in context. */
@Injectable()
export class LdapSyncSource {
  constructor(
    private readonly connections: ConnectionStore,
    private readonly outbound: OutboundFetch,
  ) {}

  /** The tenant's connection as committed now (undefined: none with this id in the tenant). */
  find(connectionId: string): Promise<Connection | undefined> {
    return this.connections.find(connectionId);
  }

  /** Binds as the connection's service account; LdapUnavailable when the directory cannot be read. */
  async open(connection: Connection): Promise<LdapReadSession> {
    const settings = connection.ldap!;
    const password = (await this.connections.secrets(connection.id)).bind_password ?? '';
    // Without a password a simple bind is anonymous, and would succeed: never send one.
    if (!password) throw new LdapUnavailable('the connection has no service account password');
    const client = await openLdapClient(settings, this.outbound, settings.timeout_ms);
    const session = new LdapReadSession(connection, client);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.bind(settings.bind_dn, password),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new LdapUnavailable(`bind: no answer within ${settings.timeout_ms} ms`)), settings.timeout_ms))),
      ]);
    } catch (err) {
      destroy(client);
      if (err instanceof LdapUnavailable) throw err;
      throw new LdapUnavailable(isInvalidCredentials(err) ? 'the service account bind was refused: invalid credentials' : `service bind: ${describeLdapError(err)}`);
    } finally {
      clearTimeout(timer);
    }
    return session;
  }
}

/** What libs/sync needs of federation to read a directory, without federation's routes. */
@Module({ providers: [ConnectionStore, ConnectionCache, OutboundFetch, LdapSyncSource], exports: [LdapSyncSource] })
export class LdapSyncSourceModule {}
