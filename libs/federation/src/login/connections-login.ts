import { Inject, Injectable } from '@nestjs/common';
import type { FederatedLogin, Interaction, LoginConnection } from '@credence/oauth';
import { Connection } from '../connections/connection';
import { ConnectionStore } from '../connections/connection-store';
import { LOGIN_STARTERS, LoginStarter } from './login-starters';

/** A directory filter that compares the username with a mail attribute: its users sign in with their e-mail. */
const MAIL_LOOKUP = /\(\s*(?:mail|email|userPrincipalName)\s*=\s*\{\{username\}\}\s*\)/i;

const asLoginConnection = (c: Connection): LoginConnection => ({
  id: c.id,
  type: c.type,
  name: c.name,
  ...(c.ldap ? { usernameFromEmail: MAIL_LOOKUP.test(c.ldap.user_search_filter) ? 'email' : 'local_part' } : {}),
});

/**
 * Federation's side of the OpenID Provider's FEDERATED_LOGIN port: the enabled connections an app may
 * use, home-realm discovery by domain, and where a sign-in at a connection starts. Only connections
 * whose type has a starter in this process are offered.
 */
@Injectable()
export class ConnectionsLogin implements FederatedLogin {
  constructor(
    private readonly connections: ConnectionStore,
    @Inject(LOGIN_STARTERS) private readonly starters: LoginStarter[],
  ) {}

  async connectionsFor(allowed: readonly string[] | null): Promise<LoginConnection[]> {
    return (await this.connections.enabled(allowed)).filter((c) => this.starterOf(c)).map(asLoginConnection);
  }

  async connectionForDomain(domain: string): Promise<LoginConnection | undefined> {
    const found = await this.connections.byDomain(domain);
    return found && this.starterOf(found) ? asLoginConnection(found) : undefined;
  }

  async start(interaction: Interaction, login: LoginConnection): Promise<string> {
    const connection = await this.connections.find(login.id);
    const starter = connection?.enabled ? this.starterOf(connection) : undefined;
    if (!connection || !starter) throw new Error(`connection ${login.id} cannot start a sign-in`);
    return starter.start(interaction, connection);
  }

  private starterOf(connection: Connection): LoginStarter | undefined {
    return this.starters.find((s) => s.type === connection.type);
  }
}
