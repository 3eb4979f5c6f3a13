import { Injectable, Logger } from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';
import type { Client, Entry } from 'ldapts';
import type { AttributeMapping, LdapSettings } from '../connections/connection';
import { OutboundFetch } from '../outbound/outbound-fetch';
import type { FederatedIdentity } from '../users/federated-identity';
import { BINARY_ATTRIBUTES, disabledInDirectory, groupSearchUsername, identityOf, userAttributes } from './ldap-entry';
import { DEFAULT_GROUP_FILTER, fillFilter } from './ldap-filter';
import { Deadline, LdapPool } from './ldap-pool';
import { destroy, openLdapClient } from './ldap-transport';
import { describeLdapError, isInvalidCredentials, LdapUnavailable } from './ldap-unavailable';

const log = new Logger('LdapDirectory');
/** More groups than this is a directory query gone wrong, not a user. */
const MAX_GROUPS = 1000;

/** One LDAP connection as the directory code needs it: where, how, and the service account's password. */
export interface LdapTarget {
  tenantId: string;
  connectionId: string;
  settings: LdapSettings;
  attributeMapping: AttributeMapping;
  servicePassword: {
    /** The sealed secrets as stored: names this password (a new one is new bytes) without opening it. */
    sealed: Buffer | null;
    /** Opens it; called only when a service connection must be bound, never kept (empty: none stored). */
    open: () => string;
  };
}

export type LdapCheck = { ok: true; identity: FederatedIdentity } | { ok: false };

/**
 * Search-then-bind against a tenant's directory (docs/federation.md, "LDAP and Active Directory"):
 * the service account finds the user's entry with the connection's filter (the username escaped per
 * RFC 4515), `admit` is told which entry that is (the caller's lockout; whatever it throws ends the
 * sign-in before the bind), then the user's own password is checked by a bind as that entry. An unknown user, an
 * ambiguous filter and a disabled account (AD ACCOUNTDISABLE, ppolicy administrative lock) get a bind
 * too, as a DN that does not exist, so all three cost what a wrong password costs and answer the
 * same. An empty password is refused before anything is sent: a simple bind without one is an
 * unauthenticated bind, which succeeds. Everything (connect, StartTLS, binds, searches) shares the
 * connection's timeout_ms; past it LdapUnavailable is thrown.
 */
@Injectable()
export class LdapDirectory {
  /** Where binds for users who cannot sign in go: a name no directory has (random per process). */
  private readonly dummyRdn = `cn=credence-no-such-user-${randomBytes(12).toString('hex')}`;
  /** Keys the pool by settings and sealed password without keeping either readable: an HMAC under a key of this process. */
  private readonly poolKeySecret = randomBytes(32);
  /** Pool keys by settings object: a cached connection's settings stay the same object while it is unchanged, so the HMAC is computed once, not per sign-in. */
  private readonly keys = new WeakMap<LdapSettings, { tenantId: string; connectionId: string; sealed: Buffer | null; service: string; bind: string }>();

  constructor(
    private readonly pool: LdapPool,
    private readonly outbound: OutboundFetch,
  ) {}

  async authenticate(target: LdapTarget, username: string, password: string, admit: (entry: string | undefined) => Promise<void>): Promise<LdapCheck> {
    if (!password || !username) return { ok: false };
    const { settings } = target;
    const deadline = new Deadline(settings.timeout_ms);
    const entry = await this.service(target, deadline, (c) => this.findUser(c, target, username));
    await admit(entry?.dn);
    const usable = entry !== undefined && !disabledInDirectory(entry);
    const dn = usable ? entry.dn : `${this.dummyRdn},${settings.user_search_base}`;
    const accepted = await this.pool.use(
      this.key('bind', target),
      () => openLdapClient(settings, this.outbound, settings.timeout_ms),
      (c) => bindAs(c, dn, password),
      deadline,
    );
    if (!usable || !accepted) return { ok: false };
    const groups = settings.group_search_base ? await this.service(target, deadline, (c) => this.groupsOf(c, settings, entry.dn, groupSearchUsername(entry, username))) : [];
    return { ok: true, identity: identityOf(entry, target.attributeMapping, groups) };
  }

  /** The connection test: a service bind, then the user search base read. Throws LdapUnavailable with what failed. */
  async check(target: LdapTarget): Promise<void> {
    const deadline = new Deadline(target.settings.timeout_ms);
    await this.service(target, deadline, async (c) => {
      await c.search(target.settings.user_search_base, { scope: 'base', attributes: ['1.1'], timeLimit: seconds(target.settings) }).catch((err: unknown) => {
        throw new LdapUnavailable(`the service account cannot read ldap.user_search_base: ${describeLdapError(err)}`);
      });
    });
  }

  private service<T>(target: LdapTarget, deadline: Deadline, work: (c: Client) => Promise<T>): Promise<T> {
    return this.pool.use(this.key('service', target), () => this.openService(target), work, deadline);
  }

  private async openService(target: LdapTarget): Promise<Client> {
    const password = target.servicePassword.open();
    // Without a password a simple bind is anonymous, and would succeed: never send one.
    if (!password) throw new LdapUnavailable('the connection has no service account password');
    const client = await openLdapClient(target.settings, this.outbound, target.settings.timeout_ms);
    try {
      await client.bind(target.settings.bind_dn, password);
    } catch (err) {
      destroy(client);
      throw new LdapUnavailable(isInvalidCredentials(err) ? 'the service account bind was refused: invalid credentials' : `service bind: ${describeLdapError(err)}`);
    }
    return client;
  }

  private async findUser(client: Client, target: LdapTarget, username: string): Promise<Entry | undefined> {
    const { settings } = target;
    const { searchEntries } = await client.search(settings.user_search_base, {
      scope: 'sub',
      filter: fillFilter(settings.user_search_filter, { username }),
      attributes: userAttributes(target.attributeMapping),
      explicitBufferAttributes: BINARY_ATTRIBUTES,
      sizeLimit: 2,
      timeLimit: seconds(settings),
    });
    if (searchEntries.length > 1) {
      log.warn(`LDAP connection ${target.connectionId}: ldap.user_search_filter matches more than one entry for a username; the sign-in is refused`);
      return undefined;
    }
    return searchEntries[0];
  }

  private async groupsOf(client: Client, settings: LdapSettings, dn: string, username: string): Promise<string[]> {
    const { searchEntries } = await client.search(settings.group_search_base!, {
      scope: 'sub',
      filter: fillFilter(settings.group_search_filter ?? DEFAULT_GROUP_FILTER, { username, dn }),
      attributes: ['1.1'],
      sizeLimit: MAX_GROUPS,
      timeLimit: seconds(settings),
    });
    return searchEntries.map((e) => e.dn);
  }

  private key(kind: 'service' | 'bind', target: LdapTarget): string {
    const known = this.keys.get(target.settings);
    if (known && known.tenantId === target.tenantId && known.connectionId === target.connectionId && sameBytes(known.sealed, target.servicePassword.sealed)) return known[kind];
    const { tenantId, connectionId } = target;
    const keys = { tenantId, connectionId, sealed: target.servicePassword.sealed, service: this.computeKey('service', target), bind: this.computeKey('bind', target) };
    this.keys.set(target.settings, keys);
    return keys[kind];
  }

  private computeKey(kind: 'service' | 'bind', target: LdapTarget): string {
    const mac = createHmac('sha256', this.poolKeySecret)
      .update(JSON.stringify(target.settings))
      .update('\0')
      .update(kind === 'service' ? (target.servicePassword.sealed ?? Buffer.alloc(0)) : Buffer.alloc(0))
      .digest('base64url');
    return `${kind}:${target.tenantId}:${target.connectionId}:${mac}`;
  }
}

/** A bind as `dn`: true when the directory accepts the password, false when it refuses it (result 49); anything else throws. */
async function bindAs(client: Client, dn: string, password: string): Promise<boolean> {
  try {
    await client.bind(dn, password);
    return true;
  } catch (err) {
    if (isInvalidCredentials(err)) return false;
    throw err;
  }
}

const sameBytes = (a: Buffer | null, b: Buffer | null) => a === b || (a !== null && b !== null && a.equals(b));

const seconds = (settings: LdapSettings) => Math.max(1, Math.ceil(settings.timeout_ms / 1000));
