import type { Interaction } from '../interactions/interaction';

/** A connection as the hosted page and the authorization endpoint see it. */
export interface LoginConnection {
  id: string;
  type: 'saml' | 'oidc' | 'ldap';
  /** Shown on its button. */
  name: string;
  /**
   * A directory (LDAP) connection: what its username is, given the e-mail typed on the sign-in page.
   * `email` when the directory looks users up by their mail address, `local_part` (before the `@`) otherwise.
   */
  usernameFromEmail?: 'email' | 'local_part';
}

/** The username a directory form starts with, from the e-mail (or login_hint) the user gave. */
export function directoryUsername(connection: LoginConnection, email: string | undefined): string | undefined {
  if (!email || connection.usernameFromEmail !== 'local_part') return email;
  const at = email.lastIndexOf('@');
  return at > 0 ? email.slice(0, at) : email;
}

/**
 * The seam federation plugs into (SAML, OIDC and LDAP issues bind it with FEDERATED_LOGIN). Until a
 * binding exists the tenant has no connections: no buttons, no home-realm discovery, and
 * `connection=` / `domain_hint=` name nothing. Every method works on the tenant in context.
 */
export interface FederatedLogin {
  /** Enabled connections this app may use (`allowed` null: every connection of the tenant). */
  connectionsFor(allowed: readonly string[] | null): Promise<LoginConnection[]>;
  /** The enabled connection that owns this e-mail domain, if any (home-realm discovery, `domain_hint`). */
  connectionForDomain(domain: string): Promise<LoginConnection | undefined>;
  /**
   * Where to send the browser to sign in at this connection for this interaction (an IdP's URL), or
   * for LDAP the hosted page's LDAP form. The IdP's answer ends in CompleteInteraction.
   */
  start(interaction: Interaction, connection: LoginConnection): Promise<string>;
}

export const FEDERATED_LOGIN = Symbol('FEDERATED_LOGIN');

/** No federation bound: the tenant has no connections. */
export const NO_FEDERATION: FederatedLogin = {
  connectionsFor: async () => [],
  connectionForDomain: async () => undefined,
  start: async () => {
    throw new Error('no federation is bound');
  },
};
