import { Global, Module } from '@nestjs/common';
import { PERMISSION_AUTHORIZER, SERVICE_CREDENTIAL_VERIFIER, USER_TOKEN_VERIFIER } from '@credence/access';
import { EntitiesModule } from '@credence/database';
import { CqrsModule } from '@nestjs/cqrs';
import { IdentityPermissionAuthorizer } from './access/identity-permission-authorizer';
import { IdentityServiceCredentialVerifier } from './access/identity-service-credential-verifier';
import { AUTHZ_CONTROLLERS, AUTHZ_PROVIDERS } from './authz/authz.providers';
import { JwksController } from './keys/jwks.controller';
import { KeysController } from './keys/keys.controller';
import { SigningKeyStore } from './keys/signing-key-store';
import { AccountLockout } from './login/account-lockout';
import { LoginFailures } from './login/login-failures';
import { AuthController } from './login/auth.controller';
import { DirectoryLogin } from './login/directory-login';
import { PasswordLogin } from './login/password-login';
import { RateLimiter } from './login/rate-limiter';
import { RevocationStore } from './revocation/revocation-store';
import { RETENTION_RULE_PROVIDERS } from './retention/retention.providers';
import { ROLES_CONTROLLERS, ROLES_PROVIDERS } from './roles/roles.providers';
import { SESSIONS_CONTROLLERS, SESSIONS_PROVIDERS } from './sessions/sessions.providers';
import { TokenIssuer } from './tokens/token-issuer';
import { TokenVerifier } from './tokens/token-verifier';
import { USERS_CONTROLLERS, USERS_PROVIDERS } from './users/users.providers';
import { INTROSPECTION_CONTROLLERS, INTROSPECTION_PROVIDERS } from './introspection/introspection.providers';
import { TENANT_ENTITIES } from './tenant-entities';
import { OTP_CONTROLLERS, OTP_PROVIDERS } from './otp/otp.providers';
import { SERVICE_CREDENTIALS_CONTROLLERS, SERVICE_CREDENTIALS_PROVIDERS } from './service-credentials/service-credentials.providers';
import { ME_CONTROLLERS, ME_PROVIDERS } from './me/me.providers';
import { INVITATIONS_CONTROLLERS, INVITATIONS_PROVIDERS } from './invitations/invitations.providers';

const IDENTITY_PROVIDERS = [
  SigningKeyStore,
  TokenIssuer,
  TokenVerifier,
  RevocationStore,
  ...SESSIONS_PROVIDERS,
  RateLimiter,
  AccountLockout,
  LoginFailures,
  PasswordLogin,
  DirectoryLogin,
  ...AUTHZ_PROVIDERS,
  ...USERS_PROVIDERS,
  ...ROLES_PROVIDERS,
  ...OTP_PROVIDERS,
  ...SERVICE_CREDENTIALS_PROVIDERS,
  ...INTROSPECTION_PROVIDERS,
  ...ME_PROVIDERS,
  ...INVITATIONS_PROVIDERS,
];

/** Identity without its routes: token verification, revocation, sessions, the permission engine. */
@Module({
  imports: [CqrsModule, EntitiesModule.forFeature(TENANT_ENTITIES)],
  providers: [...IDENTITY_PROVIDERS, ...RETENTION_RULE_PROVIDERS],
  exports: IDENTITY_PROVIDERS,
})
export class IdentityCoreModule {}

const ACCESS_PORTS = [
  { provide: USER_TOKEN_VERIFIER, useExisting: TokenVerifier },
  { provide: SERVICE_CREDENTIAL_VERIFIER, useClass: IdentityServiceCredentialVerifier },
  { provide: PERMISSION_AUTHORIZER, useClass: IdentityPermissionAuthorizer },
];

/**
 * Identity behind the access lib's ports, for every module of the process: the global guard verifies
 * users' tokens and service credentials with it, PermissionGuard asks its permission engine. An app
 * whose routes take tenant users (auth, audit) imports this, not IdentityModule; one without it refuses them.
 */
@Global()
@Module({
  imports: [IdentityCoreModule],
  providers: ACCESS_PORTS,
  exports: [USER_TOKEN_VERIFIER, SERVICE_CREDENTIAL_VERIFIER, PERMISSION_AUTHORIZER],
})
export class IdentityAccessModule {}

/** Users, roles, keys and sign-in for tenants: the identity routes on top of IdentityCoreModule. */
@Module({
  imports: [CqrsModule, IdentityCoreModule, IdentityAccessModule],
  controllers: [
    JwksController,
    KeysController,
    AuthController,
    ...SESSIONS_CONTROLLERS,
    ...AUTHZ_CONTROLLERS,
    ...USERS_CONTROLLERS,
    ...ROLES_CONTROLLERS,
    ...OTP_CONTROLLERS,
    ...SERVICE_CREDENTIALS_CONTROLLERS,
    ...INTROSPECTION_CONTROLLERS,
    ...ME_CONTROLLERS,
    ...INVITATIONS_CONTROLLERS,
  ],
  exports: [IdentityCoreModule],
})
export class IdentityModule {}
