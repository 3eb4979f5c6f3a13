import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { TenantRef } from '@credence/context';
import { issuerFor, signEs256, SigningKeyStore } from '@credence/identity';
import { claimsForScope, UserRecord } from './user-claims';

/** ID tokens live an hour: they prove a sign-in to the app once, and are not bearer credentials for APIs. */
export const ID_TOKEN_TTL_SECONDS = 3600;

export interface IdTokenSubject {
  user: UserRecord;
  clientId: string;
  /** Granted scope: which user claims go in. */
  scope: readonly string[] | string;
  /** Epoch seconds of the sign-in. */
  authTime?: number;
  nonce?: string;
  /** The browser session (OIDC Front/Back-Channel Logout `sid`). */
  sid?: string;
  amr?: readonly string[];
  /** Connection id, when an IdP vouched for the user. */
  idp?: string;
  /** The access token issued beside it, for at_hash. */
  accessToken?: string;
}

/** OIDC Core §3.1.3.6: the left half of the SHA-256 of the access token's ASCII, base64url (ES256 hashes with SHA-256). */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

/** Builds the claims of an ID token (OIDC Core §2), before signing. Exported for its unit spec. */
export function idTokenClaims(issuer: string, tenantId: string, s: IdTokenSubject, now: number): Record<string, unknown> {
  return {
    iss: issuer,
    sub: s.user.id,
    aud: s.clientId,
    exp: now + ID_TOKEN_TTL_SECONDS,
    iat: now,
    ...(s.authTime !== undefined ? { auth_time: s.authTime } : {}),
    ...(s.nonce !== undefined ? { nonce: s.nonce } : {}),
    ...(s.sid ? { sid: s.sid } : {}),
    ...(s.amr?.length ? { amr: [...s.amr] } : {}),
    ...(s.accessToken ? { at_hash: atHash(s.accessToken) } : {}),
    tid: tenantId,
    ...(s.idp ? { idp: s.idp } : {}),
    ...claimsForScope(s.user, s.scope),
  };
}

/** ID tokens (ES256, the tenant's active signing key, `typ: JWT`, `kid`), as access tokens are signed. */
@Injectable()
export class IdTokenMinter {
  constructor(
    private readonly keys: SigningKeyStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async mint(tenant: TenantRef, subject: IdTokenSubject): Promise<string> {
    const signing = await this.keys.signingKeyFor(tenant);
    const claims = idTokenClaims(issuerFor(this.config.CREDENCE_BASE_URL, tenant.slug), tenant.id, subject, Math.floor(Date.now() / 1000));
    return signEs256({ alg: 'ES256', typ: 'JWT', kid: signing.kid }, claims, signing.key);
  }
}
