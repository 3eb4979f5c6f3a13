import { Module } from '@nestjs/common';
import { AccessTokenGuard } from './auth/access-token.guard';
import { DiscoveryController } from './keys/discovery.controller';
import { JwksController } from './keys/jwks.controller';
import { SigningKeyStore } from './keys/signing-key-store';
import { AccountLockout } from './login/account-lockout';
import { AuthController } from './login/auth.controller';
import { PasswordLogin } from './login/password-login';
import { RateLimiter } from './login/rate-limiter';
import { RevocationStore } from './revocation/revocation-store';
import { RefreshSession } from './sessions/refresh-session';
import { SessionLifecycle } from './sessions/session-lifecycle';
import { TokenIssuer } from './tokens/token-issuer';
import { TokenVerifier } from './tokens/token-verifier';

/** Users, roles, keys and sign-in for tenants. */
@Module({
  controllers: [JwksController, DiscoveryController, AuthController],
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
  ],
  exports: [SigningKeyStore, TokenIssuer, TokenVerifier, RevocationStore, AccessTokenGuard, SessionLifecycle, RateLimiter],
})
export class IdentityModule {}
