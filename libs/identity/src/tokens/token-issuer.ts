import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { TenantRef } from '@credence/context';
import { TenantRegistry } from '@credence/tenancy';
import { SigningKeyStore } from '../keys/signing-key-store';
import { AccessTokenClaims, signEs256 } from './jwt';

export interface IssuedAccessToken {
  token: string;
  claims: AccessTokenClaims;
  expiresIn: number;
}

export function issuerFor(baseUrl: string, slug: string): string {
  return `${baseUrl}/v1/t/${slug}`;
}

/** Access tokens (RFC 9068 profile): short-lived ES256 JWTs signed with the tenant's active key. */
@Injectable()
export class TokenIssuer {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly registry: TenantRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async issue(tenant: TenantRef, subject: { userId: string; sessionId: string; roles: string[] }): Promise<IssuedAccessToken> {
    const [keys, settings] = await Promise.all([this.keys.keysFor(tenant), this.registry.settings(tenant)]);
    await this.keys.rotateIfOld(tenant, keys);
    const signing = (await this.keys.keysFor(tenant)).signing;
    const now = Math.floor(Date.now() / 1000);
    const iss = issuerFor(this.config.CREDENCE_BASE_URL, tenant.slug);
    const claims: AccessTokenClaims = {
      iss,
      aud: iss,
      sub: subject.userId,
      tid: tenant.id,
      sid: subject.sessionId,
      jti: randomUUID(),
      iat: now,
      nbf: now,
      exp: now + settings.access_token_ttl_seconds,
      roles: subject.roles,
    };
    const token = signEs256({ alg: 'ES256', typ: 'at+jwt', kid: signing.kid }, claims, signing.key);
    return { token, claims, expiresIn: settings.access_token_ttl_seconds };
  }
}
