import { Injectable, Logger } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { DomainError } from '@credence/errors';
import type { ClientInfo, DirectoryAdmission, DirectoryAuthenticator, DirectoryProof } from '@credence/identity';
import type { UnitOfWork } from '@credence/tenancy';
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
  ) {}

  authenticate(connectionId: string, username: string, password: string, client: ClientInfo, admit: DirectoryAdmission): Promise<DirectoryProof>;
  authenticate<T>(
    connectionId: string,
    username: string,
    password: string,
    client: ClientInfo,
    admit: DirectoryAdmission,
    then: (uow: UnitOfWork, userId: string) => Promise<T>,
  ): Promise<DirectoryProof<T>>;
  async authenticate<T>(
    connectionId: string,
    username: string,
    password: string,
    client: ClientInfo,
    admit: DirectoryAdmission,
    then?: (uow: UnitOfWork, userId: string) => Promise<T>,
  ): Promise<DirectoryProof<T | undefined>> {
    // From memory while the tenant's connections are unchanged (ConnectionCache), the service password still sealed.
    const found = await this.connections.findWithSecrets(connectionId);
    if (!found || found.connection.type !== 'ldap' || !found.connection.ldap) throw new DomainError('connection.not_found');
    const { connection } = found;
    if (!connection.enabled) {
      await this.signIn.refuse(connection, 'connection_disabled', client);
      return { outcome: 'refused' };
    }
    let check: Awaited<ReturnType<LdapDirectory['authenticate']>>;
    try {
      check = await this.directory.authenticate(this.targetOf(connection, found), username, password, admit);
    } catch (err) {
      if (!(err instanceof LdapUnavailable)) throw err;
      log.warn(`LDAP connection ${connection.id} unavailable: ${err.detail}`);
      await this.signIn.refuse(connection, 'ldap_unavailable', client);
      throw new DomainError('federation.ldap_unavailable');
    }
    if (!check.ok) return { outcome: 'invalid_credentials' };
    // The user resolved (link, profile, group rules) and the caller's `then` (the session start) in one unit of work.
    const result = await this.signIn.resolveAnd(connection, check.identity, client, then ?? (async () => undefined));
    return result.ok ? { outcome: 'signed_in', userId: result.userId, value: result.value } : { outcome: 'refused' };
  }

  /** The connection with its service password as committed now, opened only if a service connection must be bound (the connection test). */
  async target(connection: Connection): Promise<LdapTarget> {
    const sealed = await this.connections.sealed(connection.id);
    return this.targetOf(connection, { sealed, secrets: () => this.connections.open(connection.id, sealed) });
  }

  private targetOf(connection: Connection, secrets: { sealed: Buffer | null; secrets: () => ConnectionSecrets }): LdapTarget {
    return {
      tenantId: this.context.requireTenant().id,
      connectionId: connection.id,
      settings: connection.ldap!,
      attributeMapping: connection.attributeMapping ?? {},
      servicePassword: { sealed: secrets.sealed, open: () => secrets.secrets().bind_password ?? '' },
    };
  }
}
