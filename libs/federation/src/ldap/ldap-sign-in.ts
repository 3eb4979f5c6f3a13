import { Injectable, Logger } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import type { ClientInfo, DirectoryAuthenticator, DirectoryProof } from '@credence/identity';
import { TenantTransactionRunner } from '@credence/tenancy';
import type { Connection, ConnectionSecrets } from '../connections/connection';
import { ConnectionStore } from '../connections/connection-store';
import { FederatedSignIn } from '../users/federated-sign-in';
import { LdapDirectory, LdapTarget } from './ldap-directory';
import { LdapUnavailable } from './ldap-unavailable';

const log = new Logger('LdapSignIn');

/**
 * Federation's side of identity's DIRECTORY_AUTHENTICATOR port: the LDAP connection of the tenant in
 * context checks the username and password (LdapDirectory), then FederatedSignIn turns the entry into
 * a Credence user (link, JIT, group → role rules, profile). A directory that is down or silent is
 * `federation.ldap_unavailable` and `federation.login.failed` with reason `ldap_unavailable`.
 */
@Injectable()
export class LdapSignIn implements DirectoryAuthenticator {
  constructor(
    private readonly connections: ConnectionStore,
    private readonly directory: LdapDirectory,
    private readonly signIn: FederatedSignIn,
    private readonly context: RequestContext,
    private readonly runner: TenantTransactionRunner,
  ) {}

  async authenticate(connectionId: string, username: string, password: string, client: ClientInfo): Promise<DirectoryProof> {
    // The connection and its sealed secrets in one unit of work (one round trip fewer per sign-in).
    const read = await this.runner.inTenant(async (uow) => {
      const found = await this.connections.find(connectionId, uow);
      return found?.type === 'ldap' && found.ldap ? { connection: found, secrets: await this.connections.secrets(found.id, uow) } : undefined;
    });
    if (!read) throw new DomainError('connection.not_found');
    const { connection } = read;
    if (!connection.enabled) {
      await this.signIn.refuse(connection, 'connection_disabled', client);
      return { outcome: 'refused' };
    }
    let check: Awaited<ReturnType<LdapDirectory['authenticate']>>;
    try {
      check = await this.directory.authenticate(this.targetOf(connection, read.secrets), username, password);
    } catch (err) {
      if (!(err instanceof LdapUnavailable)) throw err;
      log.warn(`LDAP connection ${connection.id} unavailable: ${err.detail}`);
      await this.signIn.refuse(connection, 'ldap_unavailable', client);
      throw new DomainError('federation.ldap_unavailable');
    }
    if (!check.ok) return { outcome: 'invalid_credentials' };
    const result = await this.signIn.resolve(connection, check.identity, client);
    return result.ok ? { outcome: 'signed_in', userId: result.userId } : { outcome: 'refused' };
  }

  /** The connection with its service password opened (the connection test). */
  async target(connection: Connection): Promise<LdapTarget> {
    return this.targetOf(connection, await this.connections.secrets(connection.id));
  }

  private targetOf(connection: Connection, secrets: ConnectionSecrets): LdapTarget {
    return {
      tenantId: this.context.requireTenant().id,
      connectionId: connection.id,
      settings: connection.ldap!,
      attributeMapping: connection.attributeMapping ?? {},
      bindPassword: secrets.bind_password ?? '',
    };
  }
}
