import { Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { sha256 } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { addressBucket, RateLimiter } from '@credence/identity';
import { ApplicationClient, ApplicationClients } from '../applications/application-clients';
import { invalidClient, invalidRequest } from './oauth-error';

export const TOKEN_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
export type TokenAuthMethod = (typeof TOKEN_AUTH_METHODS)[number];

export interface AuthenticatedApplication {
  client: ApplicationClient;
  method: TokenAuthMethod;
}

/** Failed client authentications per window, per client id and address, and per address, before a block for the rest of it. */
const FAILURES_PER_CLIENT = 10;
const FAILURES_PER_IP = 30;
const FAILURE_WINDOW_SECONDS = 60;

interface Presented {
  clientId: string;
  secret?: string;
  method: TokenAuthMethod;
}

/** RFC 6749 §2.3.1: Basic credentials are the form-urlencoded id and secret. A bad encoding is no credential. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** What the request presents, or an error when it is malformed or uses two methods at once. */
export function presentedClient(authorization: string | undefined, form: Record<string, string>): Presented {
  if (authorization !== undefined) {
    const basic = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(authorization.trim());
    if (!basic) throw invalidClient('The Authorization header is not HTTP Basic client authentication.');
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const clientId = colon > 0 ? formDecode(decoded.slice(0, colon)) : undefined;
    const secret = colon > 0 ? formDecode(decoded.slice(colon + 1)) : undefined;
    if (!clientId || !secret) throw invalidClient('The Basic credentials are malformed.');
    if (form.client_secret !== undefined) throw invalidRequest('Use one client authentication method, not two.');
    // A client_id in the body beside Basic is allowed (some clients send it), but it must be the same client.
    if (form.client_id !== undefined && form.client_id !== clientId) throw invalidRequest('client_id differs from the authenticated client.');
    return { clientId, secret, method: 'client_secret_basic' };
  }
  if (!form.client_id) throw invalidClient('No client authentication was included.');
  if (form.client_secret !== undefined) return { clientId: form.client_id, secret: form.client_secret, method: 'client_secret_post' };
  return { clientId: form.client_id, method: 'none' };
}

/**
 * Authenticates the application calling the token endpoint: a confidential one by its secret
 * (client_secret_basic or client_secret_post), a public one by its client_id alone (none). A confidential
 * app presenting no secret, or a public one presenting one, fails. Failures are counted per client id and
 * address and per address; past the limit, both answer 429 `invalid_client` with Retry-After until the
 * window ends (as service credentials do; fails closed without Redis).
 */
@Injectable()
export class ClientAuthentication {
  constructor(
    private readonly clients: ApplicationClients,
    private readonly limiter: RateLimiter,
    private readonly context: RequestContext,
  ) {}

  async authenticate(authorization: string | undefined, form: Record<string, string>, ip: string | null): Promise<AuthenticatedApplication> {
    const presented = presentedClient(authorization, form);
    const tenant = this.context.requireTenant();
    const scopes = [
      { key: `ip:${addressBucket(ip)}`, limit: FAILURES_PER_IP },
      // Per client id *and* address: client ids are public, so a block on the id alone would let anyone lock an app out.
      { key: `client:${sha256(presented.clientId).toString('hex').slice(0, 32)}:ip:${addressBucket(ip)}`, limit: FAILURES_PER_CLIENT },
    ];
    // The block check and the client's lookup go out together (one round trip; the secret is compared in
    // memory). A blocked caller is refused whatever the secret was, so the order of the two tells nothing.
    const [blocked, client] = await Promise.all([this.limiter.ttls(scopes.map((s) => this.limiter.key('oauth-client-block', tenant.id, s.key))), this.check(presented)]);
    const blockedFor = Math.max(...blocked);
    if (blockedFor > 0) throw new DomainError('auth.rate_limited', undefined, undefined, { 'Retry-After': String(blockedFor) });
    if (client) return { client, method: presented.method };
    for (const s of scopes) {
      const { count, resetIn } = await this.limiter.hit(this.limiter.key('oauth-client-failures', tenant.id, s.key), FAILURE_WINDOW_SECONDS);
      if (count >= s.limit) await this.limiter.set(this.limiter.key('oauth-client-block', tenant.id, s.key), Math.max(1, resetIn));
    }
    throw invalidClient();
  }

  private async check(presented: Presented): Promise<ApplicationClient | undefined> {
    if (presented.secret !== undefined) return this.clients.authenticate(presented.clientId, presented.secret);
    const client = await this.clients.find(presented.clientId);
    return client?.type === 'public' ? client : undefined;
  }
}
