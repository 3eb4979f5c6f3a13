import { Injectable, Logger } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { KeyEncryption } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';
import { Connection, ConnectionSecrets, secretsAssociatedData } from './connection';
import { ConnectionCache } from './connection-cache';

interface ConnectionRow {
  id: string;
  type: Connection['type'];
  name: string;
  enabled: boolean;
  status: Connection['status'];
  domains: string[];
  jit: Connection['jit'];
  attribute_mapping: Connection['attributeMapping'];
  group_role_mapping: Connection['groupRoleMapping'];
  config: { saml?: Connection['saml']; oidc?: Connection['oidc']; ldap?: Connection['ldap'] };
}

const CONNECTION_COLUMNS = `c.id, c.type, c.name, c.enabled, c.status, c.jit, c.attribute_mapping, c.group_role_mapping, c.config,
         ARRAY(SELECT d.domain FROM connection_domains d WHERE d.connection_id = c.id ORDER BY d.domain) AS domains`;
export const CONNECTION_SELECT = `SELECT ${CONNECTION_COLUMNS} FROM connections c`;
/** The same with the sealed secrets column (never opened by the query's reader until the moment of use). */
const CONNECTION_AND_SEALED_SELECT = `SELECT ${CONNECTION_COLUMNS}, c.secrets FROM connections c`;

export const toConnection = (r: ConnectionRow): Connection => ({
  id: r.id,
  type: r.type,
  name: r.name,
  enabled: r.enabled,
  status: r.status,
  domains: r.domains,
  jit: r.jit,
  attributeMapping: r.attribute_mapping,
  groupRoleMapping: r.group_role_mapping,
  ...r.config,
});

/** How often, at most, one connection's unreadable secrets are logged: each request refused for it logs its own line too. */
const UNREADABLE_LOG_EVERY_MS = 60_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads the connections of the tenant in context (the sign-in paths); the connections API writes them. */
@Injectable()
export class ConnectionStore {
  private readonly logger = new Logger('ConnectionStore');
  private readonly unreadableLoggedAt = new Map<string, number>();

  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly encryption: KeyEncryption,
    private readonly context: RequestContext,
    private readonly cache: ConnectionCache,
  ) {}

  /**
   * In the caller's unit of work: as committed now, from Postgres. Otherwise from memory while the tenant's
   * connections are unchanged (ConnectionCache; unknown ids are remembered too), and frozen: never change it.
   */
  async find(id: string, uow?: UnitOfWork): Promise<Connection | undefined> {
    if (!UUID.test(id)) return undefined;
    const key = id.toLowerCase();
    const read = async (u: UnitOfWork) => {
      const [row] = await u.query<ConnectionRow[]>(`${CONNECTION_SELECT} WHERE c.id = $1`, [key]);
      return row ? toConnection(row) : undefined;
    };
    if (uow) return read(uow);
    const tenantId = this.context.requireTenant().id;
    const version = await this.cache.version(tenantId);
    const cached = this.cache.get(tenantId, key, version);
    if (cached !== undefined) return cached ?? undefined;
    const found = await this.runner.inTenant(read);
    this.cache.put(tenantId, key, version, found ?? null);
    return found;
  }

  /** Enabled connections, all of them or those whose ids are listed (an application's allowed connections). */
  async enabled(ids: readonly string[] | null): Promise<Connection[]> {
    const rows = await this.runner.inTenant((u) =>
      u.query<ConnectionRow[]>(`${CONNECTION_SELECT} WHERE c.enabled AND ($1::uuid[] IS NULL OR c.id = ANY($1)) ORDER BY c.name, c.id`, [ids ? [...ids] : null]),
    );
    return rows.map(toConnection);
  }

  /** The enabled connection that owns this e-mail domain, if any. */
  async byDomain(domain: string): Promise<Connection | undefined> {
    const [row] = await this.runner.inTenant((u) =>
      u.query<ConnectionRow[]>(`${CONNECTION_SELECT} JOIN connection_domains cd ON cd.connection_id = c.id WHERE cd.domain = $1 AND c.enabled`, [domain.toLowerCase()]),
    );
    return row ? toConnection(row) : undefined;
  }

  /**
   * The connection and its secrets for a sign-in that needs them (OIDC callback, LDAP sign-in), from memory
   * like `find` (ConnectionCache keeps the sealed column with the connection, never opened); otherwise both in
   * one transaction. The secrets are opened only when `secrets()` is called, at the moment of use.
   */
  async findWithSecrets(id: string): Promise<{ connection: Connection; sealed: Buffer | null; secrets: () => ConnectionSecrets } | undefined> {
    if (!UUID.test(id)) return undefined;
    const key = id.toLowerCase();
    const tenantId = this.context.requireTenant().id;
    const version = await this.cache.version(tenantId);
    let found = this.cache.getSealed(tenantId, key, version);
    if (!found) {
      const read = await this.runner.inTenant(async (u) => {
        const [row] = await u.query<(ConnectionRow & { secrets: Buffer | null })[]>(`${CONNECTION_AND_SEALED_SELECT} WHERE c.id = $1`, [key]);
        return row;
      });
      const value = read ? toConnection(read) : null;
      this.cache.put(tenantId, key, version, value, read?.secrets ?? null);
      found = { value, sealed: read?.secrets ?? null };
    }
    if (!found.value) return undefined;
    const { value: connection, sealed } = found;
    return { connection, sealed, secrets: () => this.open(connection.id, sealed) };
  }

  /** The connection's secrets, opened; an empty object when it has none. In the caller's unit of work when given one. */
  async secrets(id: string, uow?: UnitOfWork): Promise<ConnectionSecrets> {
    return this.open(id, await this.sealed(id, uow));
  }

  /** The connection's sealed secrets as committed now, not opened (null: none). */
  async sealed(id: string, uow?: UnitOfWork): Promise<Buffer | null> {
    const read = (u: UnitOfWork) => u.query<{ secrets: Buffer | null }[]>('SELECT secrets FROM connections WHERE id = $1', [id]);
    const [row] = uow ? await read(uow) : await this.runner.inTenant(read);
    return row?.secrets ?? null;
  }

  /**
   * Opens a sealed `connections.secrets` value read by the caller (in its own transaction). Secrets
   * sealed with another CREDENCE_KEY_ENCRYPTION_KEY than this process has (a misconfigured deployment,
   * two installations sharing one database) or damaged cannot be opened: whatever needs them is
   * refused with federation.secrets_unreadable (500), never treated as the IdP's fault.
   */
  open(connectionId: string, sealed: Buffer | null): ConnectionSecrets {
    const tenant = this.context.requireTenant();
    try {
      return this.decrypt(tenant.id, connectionId, sealed);
    } catch (err) {
      this.reportUnreadable(tenant.slug, connectionId, err as Error);
      throw new DomainError('federation.secrets_unreadable');
    }
  }

  /**
   * What a write that sets new secrets keeps of the stored ones. Stored secrets this process cannot open
   * are replaced, not kept: setting them again (PATCH, or rotating the SP keys) is how a connection sealed
   * under another key-encryption key is recovered, and nothing here could have used the old ones.
   */
  openToRewrite(connectionId: string, sealed: Buffer | null): ConnectionSecrets {
    try {
      return this.decrypt(this.context.requireTenant().id, connectionId, sealed);
    } catch (err) {
      this.logger.warn(
        `connection ${connectionId}: its secrets cannot be opened (${(err as Error).message}); the ones now set replace them, and any others it had must be set again`,
      );
      return {};
    }
  }

  private decrypt(tenantId: string, connectionId: string, sealed: Buffer | null): ConnectionSecrets {
    if (!sealed) return {};
    return JSON.parse(this.encryption.decrypt(sealed, secretsAssociatedData(tenantId, connectionId)).toString('utf8')) as ConnectionSecrets;
  }

  private reportUnreadable(tenantSlug: string, connectionId: string, err: Error): void {
    const now = Date.now();
    if (now - (this.unreadableLoggedAt.get(connectionId) ?? 0) < UNREADABLE_LOG_EVERY_MS) return;
    if (this.unreadableLoggedAt.size > 10_000) this.unreadableLoggedAt.clear();
    this.unreadableLoggedAt.set(connectionId, now);
    this.logger.error(
      `tenant ${tenantSlug}: the secrets of connection ${connectionId} cannot be opened (${err.message}). ` +
        'Sign-ins, logouts, tests and syncs that need them are refused until the key-encryption key they were sealed with is configured, or the secrets are set again.',
    );
  }

  seal(connectionId: string, secrets: ConnectionSecrets): { sealed: Buffer; kekId: string } {
    const plain = Buffer.from(JSON.stringify(secrets), 'utf8');
    return { sealed: this.encryption.encrypt(plain, secretsAssociatedData(this.context.requireTenant().id, connectionId)), kekId: this.encryption.kekId };
  }
}
