import type { UnitOfWork } from '@credence/tenancy';
import type { ClientInfo } from '../sessions/client-info';

/**
 * What a directory (an LDAP connection) said about a username and password, once the Credence user
 * behind it is resolved: signed in; the directory refused the credentials (unknown user, wrong
 * password, disabled account: never told apart); or the directory accepted them but Credence refused
 * the user (JIT off, disabled, an account of another domain: `federation.login.failed` says why).
 */
export type DirectoryProof<T = undefined> = { outcome: 'signed_in'; userId: string; value: T } | { outcome: 'invalid_credentials' } | { outcome: 'refused' };

/**
 * Called once the directory has been searched and before any password is tried there: `entry` is the
 * directory's name (DN) of the account the username matched, or undefined when it matched none. The
 * directory matches many spellings of one username (case, repeated spaces, full-width letters, uid or
 * mail), so the lockout is keyed by what it found rather than by what was typed. Throws to end the
 * sign-in before the bind (the account is locked).
 */
export type DirectoryAdmission = (entry: string | undefined) => Promise<void>;

/**
 * The seam federation plugs its LDAP sign-in into (FederationLoginModule binds it), so identity
 * never imports federation. Works on the tenant in context. Throws DomainError `connection.not_found`
 * for an id that is not an LDAP connection of the tenant, and `federation.ldap_unavailable` when the
 * directory is down or silent past the connection's timeout. `admit` runs between the search and the
 * bind, and whatever it throws ends the sign-in. `then`, when given, runs in the unit of work
 * that resolves the user, after a success and while the user's row is held (DirectoryLogin: the session
 * start), so a sign-in is one tenant transaction; whatever it throws undoes the sign-in.
 */
export interface DirectoryAuthenticator {
  authenticate(connectionId: string, username: string, password: string, client: ClientInfo, admit: DirectoryAdmission): Promise<DirectoryProof>;
  authenticate<T>(
    connectionId: string,
    username: string,
    password: string,
    client: ClientInfo,
    admit: DirectoryAdmission,
    then: (uow: UnitOfWork, userId: string) => Promise<T>,
  ): Promise<DirectoryProof<T>>;
}

export const DIRECTORY_AUTHENTICATOR = Symbol('DIRECTORY_AUTHENTICATOR');
