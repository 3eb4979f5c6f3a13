import { DynamicModule, Module, ModuleMetadata, Type } from '@nestjs/common';
import { EventsConfigModule } from '@credence/event-relay';
import { AccessCheckHandler } from './access-check/access-check.handler';
import { ACCESS_CHECKER, AccessCheckNotSupported } from './access-check/access-checker';
import { IDENTITY_RPC_ENABLED, IdentityRpcResponder } from './identity-rpc.responder';
import { TokenValidateHandler } from './token-validate/token-validate.handler';
import { TOKEN_VALIDATOR, TokenValidationNotSupported } from './token-validate/token-validator';

export interface IdentityRpcOptions {
  /** False in processes that must not answer (the migrate command). */
  enabled?: boolean;
  /** Modules that export the classes below. */
  imports?: ModuleMetadata['imports'];
  /** A provider (exported by `imports`) implementing TokenValidator. */
  tokenValidator?: Type<unknown>;
  /** A provider (exported by `imports`) implementing AccessChecker. */
  accessChecker?: Type<unknown>;
}

/**
 * identity.token.validate and identity.access.check over the transport. The defaults answer
 * `not_supported`; the identity lib plugs in its implementations with
 * `IdentityRpcModule.forRoot({ imports: [IdentityModule], tokenValidator: X, accessChecker: Y })`.
 */
@Module({})
export class IdentityRpcModule {
  static forRoot(options: IdentityRpcOptions = {}): DynamicModule {
    return {
      module: IdentityRpcModule,
      imports: [EventsConfigModule, ...(options.imports ?? [])],
      providers: [
        { provide: IDENTITY_RPC_ENABLED, useValue: options.enabled ?? true },
        options.tokenValidator ? { provide: TOKEN_VALIDATOR, useExisting: options.tokenValidator } : { provide: TOKEN_VALIDATOR, useClass: TokenValidationNotSupported },
        options.accessChecker ? { provide: ACCESS_CHECKER, useExisting: options.accessChecker } : { provide: ACCESS_CHECKER, useClass: AccessCheckNotSupported },
        TokenValidateHandler,
        AccessCheckHandler,
        IdentityRpcResponder,
      ],
      exports: [TOKEN_VALIDATOR, ACCESS_CHECKER],
    };
  }
}
