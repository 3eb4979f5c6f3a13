import { Global, Module } from '@nestjs/common';
import { FEDERATED_LOGIN } from '@credence/oauth';
import { FederationModule } from '../federation.module';
import { ConnectionsLogin } from './connections-login';

/**
 * Binds the OpenID Provider's FEDERATED_LOGIN port for the whole process (global), so the authorization
 * endpoint and the hosted login page offer the tenant's connections. The auth app imports it.
 */
@Global()
@Module({
  imports: [FederationModule],
  providers: [ConnectionsLogin, { provide: FEDERATED_LOGIN, useExisting: ConnectionsLogin }],
  exports: [FEDERATED_LOGIN],
})
export class FederationLoginModule {}
