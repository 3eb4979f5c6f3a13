import { Module } from '@nestjs/common';
import { IdentityCoreModule } from '../identity.module';
import { AccessCheckHandler } from './access-check/access-check.handler';
import { TransportAccessChecker } from './access-check/transport-access-checker';
import { IdentityRpcResponder } from './identity-rpc.responder';
import { TokenValidateHandler } from './token-validate/token-validate.handler';
import { TransportTokenValidator } from './token-validate/transport-token-validator';

/**
 * identity.token.validate and identity.access.check on the event transport, answered with the same
 * verifier and permission engine as the HTTP routes. Imported by the auth app only, so a process
 * answers exactly when it serves identity.
 */
@Module({
  imports: [IdentityCoreModule],
  providers: [TransportTokenValidator, TransportAccessChecker, TokenValidateHandler, AccessCheckHandler, IdentityRpcResponder],
})
export class IdentityRpcModule {}
