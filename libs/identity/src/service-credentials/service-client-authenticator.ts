import { Injectable } from '@nestjs/common';
import { RequestContext } from '@credence/context';
import { sameHash, sha256 } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { TenantTransactionRunner } from '@credence/tenancy';
import { RateLimiter } from '../login/rate-limiter';
import { PresentedClient } from './client-credentials';

export interface AuthenticatedClient {
  id: string;
  clientId: string;
  /** As stored: names from SERVICE_PERMISSIONS. */
  permissions: string[];
}

/** Failed authentications allowed per window before further attempts are refused for the rest of it. */
const FAILURES_PER_CLIENT = 10;
const FAILURES_PER_IP = 30;
const FAILURE_WINDOW_SECONDS = 60;

export const INVALID_CLIENT = () => new DomainError('auth.invalid_client', undefined, undefined, { 'WWW-Authenticate': 'Basic realm="credence"' });

/**
 * Checks a service credential of the ambient tenant. Failures are counted per client id and IP, and per IP;
 * past the limit, both answer 429 with Retry-After until the window ends (fails closed without Redis).
 */
@Injectable()
export class ServiceClientAuthenticator {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly limiter: RateLimiter,
    private readonly context: RequestContext,
  ) {}

  async authenticate(presented: PresentedClient | undefined, ip: string | null): Promise<AuthenticatedClient> {
    const tenant = this.context.requireTenant();
    const scopes = [{ key: `ip:${ip ?? 'unknown'}`, limit: FAILURES_PER_IP }];
    // Per client id *and* ip: client ids are not secret, so a block on the id alone would let anyone lock a
    // service out. Secrets carry 256 bits, so the limits are about noise and cost, not guessing.
    if (presented) scopes.push({ key: `client:${sha256(presented.clientId).toString('hex').slice(0, 32)}:ip:${ip ?? 'unknown'}`, limit: FAILURES_PER_CLIENT });
    for (const s of scopes) {
      const blockedFor = await this.limiter.ttl(this.limiter.key('client-auth-block', tenant.id, s.key));
      if (blockedFor > 0) throw new DomainError('auth.rate_limited', undefined, undefined, { 'Retry-After': String(blockedFor) });
    }
    const client = presented ? await this.check(presented) : undefined;
    if (client) return client;
    for (const s of scopes) {
      const { count, resetIn } = await this.limiter.hit(this.limiter.key('client-auth-failures', tenant.id, s.key), FAILURE_WINDOW_SECONDS);
      if (count >= s.limit) await this.limiter.set(this.limiter.key('client-auth-block', tenant.id, s.key), Math.max(1, resetIn));
    }
    throw INVALID_CLIENT();
  }

  private check(presented: PresentedClient): Promise<AuthenticatedClient | undefined> {
    const presentedHash = sha256(presented.secret);
    return this.runner.inTenant(async (uow) => {
      const [row] = await uow.query<{ id: string; client_id: string; secret_hash: Buffer; revoked: boolean; permissions: string[] }[]>(
        `SELECT id, client_id, secret_hash, revoked_at IS NOT NULL AS revoked, permissions FROM service_credentials WHERE client_id = $1`,
        [presented.clientId],
      );
      if (!row || row.revoked || !sameHash(row.secret_hash, presentedHash)) return undefined;
      // At most one write a minute per credential: introspection is a hot path.
      await uow.query(`UPDATE service_credentials SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, [row.id]);
      return { id: row.id, clientId: row.client_id, permissions: row.permissions };
    });
  }
}
