import { Global, Module } from '@nestjs/common';
import { DIRECTORY_AUTHENTICATOR } from '@credence/identity';
import { FEDERATED_LOGIN, FEDERATED_LOGOUT } from '@credence/oauth';
import { FederationModule } from '../federation.module';
import { LdapSignIn } from '../ldap/ldap-sign-in';
import { ConnectionsLogin } from './connections-login';
import { ConnectionsLogout } from './connections-logout';

/**
 * Binds the OpenID Provider's FEDERATED_LOGIN and FEDERATED_LOGOUT ports for the whole process (global),
 * so the authorization endpoint and the hosted login page offer the tenant's connections, and
 * /oauth2/logout signs the user out at the IdP too; and identity's DIRECTORY_AUTHENTICATOR, so
 * POST /auth/login with `connection` and the hosted page's directory form sign in through LDAP.
 * The auth app imports it.
 */
@Global()
@Module({
  imports: [FederationModule],
  providers: [
    ConnectionsLogin,
    ConnectionsLogout,
    { provide: FEDERATED_LOGIN, useExisting: ConnectionsLogin },
    { provide: FEDERATED_LOGOUT, useExisting: ConnectionsLogout },
    { provide: DIRECTORY_AUTHENTICATOR, useExisting: LdapSignIn },
  ],
  exports: [FEDERATED_LOGIN, FEDERATED_LOGOUT, DIRECTORY_AUTHENTICATOR],
})
export class FederationLoginModule {}
