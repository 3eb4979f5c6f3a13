import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AccessTokenGuard } from './auth/access-token.guard';
import { AUTHZ_CONTROLLERS, AUTHZ_PROVIDERS } from './authz/authz.providers';
import { DiscoveryController } from './keys/discovery.controller';
import { JwksController } from './keys/jwks.controller';
import { SigningKeyStore } from './keys/signing-key-store';
import { AccountLockout } from './login/account-lockout';
import { AuthController } from './login/auth.controller';
import { PasswordLogin } from './login/password-login';
import { RateLimiter } from './login/rate-limiter';
import { RevocationStore } from './revocation/revocation-store';
import { ROLES_CONTROLLERS, ROLES_PROVIDERS } from './roles/roles.providers';
import { RefreshSession } from './sessions/refresh-session';
import { SessionLifecycle } from './sessions/session-lifecycle';
import { TokenIssuer } from './tokens/token-issuer';
import { TokenVerifier } from './tokens/token-verifier';
import { DEFAULT_USER_SESSIONS_REVOKER, USERS_CONTROLLERS, USERS_PROVIDERS } from './users/users.providers';
import { OTP_CONTROLLERS, OTP_PROVIDERS } from './otp/otp.providers';
import { SERVICE_CREDENTIALS_CONTROLLERS, SERVICE_CREDENTIALS_PROVIDERS } from './service-credentials/service-credentials.providers';

/** Users, roles, keys and sign-in for tenants. */
@Module({
  imports: [CqrsModule],
  controllers: [JwksController, DiscoveryController, AuthController, ...AUTHZ_CONTROLLERS, ...USERS_CONTROLLERS, ...ROLES_CONTROLLERS, ...OTP_CONTROLLERS, ...SERVICE_CREDENTIALS_CONTROLLERS],
  providers: [
    SigningKeyStore,
    TokenIssuer,
    TokenVerifier,
    RevocationStore,
    AccessTokenGuard,
    SessionLifecycle,
    RefreshSession,
    RateLimiter,
    AccountLockout,
    PasswordLogin,
    ...AUTHZ_PROVIDERS,
    ...USERS_PROVIDERS,
    ...ROLES_PROVIDERS,
    DEFAULT_USER_SESSIONS_REVOKER,
    ...OTP_PROVIDERS,
    ...SERVICE_CREDENTIALS_PROVIDERS,
  ],
  exports: [SigningKeyStore, TokenIssuer, TokenVerifier, RevocationStore, AccessTokenGuard, SessionLifecycle, RateLimiter, ...AUTHZ_PROVIDERS],
})
export class IdentityModule {}
