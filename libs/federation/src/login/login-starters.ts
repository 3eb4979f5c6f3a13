import type { Interaction } from '@credence/oauth';
import type { Connection, ConnectionType } from '../connections/connection';

/** Starts a sign-in at a connection of one type: the URL the browser goes to (the IdP, or an LDAP form). */
export interface LoginStarter {
  readonly type: ConnectionType;
  start(interaction: Interaction, connection: Connection): Promise<string>;
}

/** Every LoginStarter of the process (SAML today; OIDC and LDAP with their issue). */
export const LOGIN_STARTERS = Symbol('LOGIN_STARTERS');
