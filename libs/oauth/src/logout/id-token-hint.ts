import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { decodeJwt, issuerFor, SigningKeyStore, verifyEs256 } from '@credence/identity';

export interface IdTokenHint {
  userId: string;
  clientId: string;
  /** The browser session it was issued in. */
  sid?: string;
}

/**
 * Reads an id_token_hint (RP-Initiated Logout 1.0 §2, and the authorization endpoint, OIDC Core §3.1.2.1):
 * an ID token this tenant issued, signature and issuer checked; expiry is not (OIDC lets an RP send an
 * expired one).
 */
@Injectable()
export class IdTokenHints {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async read(token: string | undefined): Promise<IdTokenHint | undefined> {
    if (!token) return undefined;
    const decoded = decodeJwt(token);
    if (!decoded || decoded.header.alg !== 'ES256' || decoded.header.typ !== 'JWT' || typeof decoded.header.kid !== 'string') return undefined;
    const tenant = this.context.requireTenant();
    const key = await this.keys.verifyingKey(tenant, decoded.header.kid);
    if (!key || !verifyEs256(decoded, key)) return undefined;
    const c = decoded.claims;
    if (c.iss !== issuerFor(this.config.CREDENCE_BASE_URL, tenant.slug) || c.tid !== tenant.id) return undefined;
    if (typeof c.sub !== 'string' || typeof c.aud !== 'string') return undefined;
    return { userId: c.sub, clientId: c.aud, sid: typeof c.sid === 'string' ? c.sid : undefined };
  }
}
