import type { BrowserSession } from '@credence/identity';

/** Where the browser goes once single logout at the IdP is done: a validated post_logout_redirect_uri and state, or the signed-out page. */
export interface AfterLogout {
  redirectUri?: string;
  state?: string;
}

/**
 * The seam federation plugs into for single logout (FEDERATED_LOGOUT, bound by FederationLoginModule):
 * when /oauth2/logout has ended a browser session that an IdP vouched for, the URL that signs the user
 * out there too (a SAML LogoutRequest), or undefined when the IdP takes none. Called AFTER the
 * Credence session and its tokens have ended: nothing depends on the IdP answering.
 */
export interface FederatedLogout {
  logoutUrl(session: Pick<BrowserSession, 'id' | 'userId' | 'idp'>, after: AfterLogout): Promise<string | undefined>;
}

export const FEDERATED_LOGOUT = Symbol('FEDERATED_LOGOUT');

/** No federation bound: nobody is signed out anywhere else. */
export const NO_FEDERATED_LOGOUT: FederatedLogout = { logoutUrl: async () => undefined };
