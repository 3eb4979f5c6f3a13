import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AccessTokenGuard } from './auth/access-token.guard';
import { AUTHZ_CONTROLLERS, AUTHZ_PROVIDERS } from './authz/authz.providers';
import { DiscoveryController } from './keys/discovery.controller';
import { JwksController } from './keys/jwks.controller';
import { KeysController } from './keys/keys.controller';
import { SigningKeyStore } from './keys/signing-key-store';
import { AccountLockout } from './login/account-lockout';
import { AuthController } from './login/auth.controller';
import { PasswordLogin } from './login/password-login';
import { RateLimiter } from './login/rate-limiter';
import { RevocationStore } from './revocation/revocation-store';
import { RETENTION_RULE_PROVIDERS } from './retention/retention.providers';
import { RPC_PROVIDERS } from './rpc/rpc.providers';
import { ROLES_CONTROLLERS, ROLES_PROVIDERS } from './roles/roles.providers';
import { SessionLifecycle } from './sessions/session-lifecycle';
import { SESSIONS_CONTROLLERS, SESSIONS_PROVIDERS } from './sessions/sessions.providers';
import { TokenIssuer } from './tokens/token-issuer';
import { TokenVerifier } from './tokens/token-verifier';
import { USERS_CONTROLLERS, USERS_PROVIDERS } from './users/users.providers';
import { INTROSPECTION_CONTROLLERS, INTROSPECTION_PROVIDERS } from './introspection/introspection.providers';
import { OTP_CONTROLLERS, OTP_PROVIDERS } from './otp/otp.providers';
import { SERVICE_CREDENTIALS_CONTROLLERS, SERVICE_CREDENTIALS_PROVIDERS } from './service-credentials/service-credentials.providers';

const IDENTITY_PROVIDERS = [
  SigningKeyStore,
  TokenIssuer,
  TokenVerifier,
  RevocationStore,
  AccessTokenGuard,
  ...SESSIONS_PROVIDERS,
  RateLimiter,
  AccountLockout,
  PasswordLogin,
  ...AUTHZ_PROVIDERS,
  ...USERS_PROVIDERS,
  ...ROLES_PROVIDERS,
  ...OTP_PROVIDERS,
  ...SERVICE_CREDENTIALS_PROVIDERS,
  ...INTROSPECTION_PROVIDERS,
  ...RPC_PROVIDERS,
];

/**
 * Identity without its routes: token verification, revocation, sessions, the permission engine.
 * Apps that guard their own routes with Credence tokens (audit) import this, not IdentityModule.
 */
@Module({
  imports: [CqrsModule],
  providers: [...IDENTITY_PROVIDERS, ...RETENTION_RULE_PROVIDERS],
  exports: IDENTITY_PROVIDERS,
})
export class IdentityCoreModule {}

/** Users, roles, keys and sign-in for tenants: the identity routes on top of IdentityCoreModule. */
@Module({
  imports: [CqrsModule, IdentityCoreModule],
  controllers: [JwksController, DiscoveryController, KeysController, AuthController, ...SESSIONS_CONTROLLERS, ...AUTHZ_CONTROLLERS, ...USERS_CONTROLLERS, ...ROLES_CONTROLLERS, ...OTP_CONTROLLERS, ...SERVICE_CREDENTIALS_CONTROLLERS, ...INTROSPECTION_CONTROLLERS],
  exports: [IdentityCoreModule],
})
export class IdentityModule {}
