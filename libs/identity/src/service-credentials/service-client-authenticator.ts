import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { RequestContext } from '@credence/context';
import { sameHash, sha256 } from '@credence/crypto';
import { DomainError } from '@credence/errors';
import { MgetBatcher, REDIS } from '@credence/redis';
import { TenantTransactionRunner } from '@credence/tenancy';
import { addressBucket } from '../login/address-bucket';
import { RateLimiter } from '../login/rate-limiter';
import { PresentedClient } from './client-credentials';
import { ServiceCredentialCache, StoredCredential } from './service-credential-cache';

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
 *
 * One Redis round trip per request (an MGET of both blocks and the tenant's credentials version, shared
 * with the requests read in the same turn of the event loop) and, while the version holds, no SQL: the
 * credential comes from ServiceCredentialCache.
 */
@Injectable()
export class ServiceClientAuthenticator {
  private readonly reads: MgetBatcher;

  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly limiter: RateLimiter,
    private readonly context: RequestContext,
    private readonly cache: ServiceCredentialCache,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.reads = new MgetBatcher(redis);
  }

  async authenticate(presented: PresentedClient | undefined, ip: string | null): Promise<AuthenticatedClient> {
    const tenant = this.context.requireTenant();
    const scopes = [{ key: `ip:${addressBucket(ip)}`, limit: FAILURES_PER_IP }];
    // Per client id *and* ip: client ids are not secret, so a block on the id alone would let anyone lock a
    // service out. Secrets carry 256 bits, so the limits are about noise and cost, not guessing.
    if (presented) scopes.push({ key: `client:${sha256(presented.clientId).toString('hex').slice(0, 32)}:ip:${addressBucket(ip)}`, limit: FAILURES_PER_CLIENT });
    const blockKeys = scopes.map((s) => this.limiter.key('client-auth-block', tenant.id, s.key));
    const [version, ...blocks] = await this.read([this.cache.versionKey(tenant.id), ...blockKeys]);
    for (const until of blocks) if (until !== null) throw new DomainError('auth.rate_limited', undefined, undefined, { 'Retry-After': retryAfter(until) });

    const client = presented ? await this.check(tenant.id, presented, version) : undefined;
    if (client) return client;
    for (const [i, s] of scopes.entries()) {
      const { count, resetIn } = await this.limiter.hit(this.limiter.key('client-auth-failures', tenant.id, s.key), FAILURE_WINDOW_SECONDS);
      if (count >= s.limit) await this.block(blockKeys[i], Math.max(1, resetIn));
    }
    throw INVALID_CLIENT();
  }

  private async check(tenantId: string, presented: PresentedClient, version: string | null): Promise<AuthenticatedClient | undefined> {
    const stored = this.cache.get(tenantId, presented.clientId, version) ?? (await this.load(tenantId, presented.clientId, version));
    if (!stored || !sameHash(stored.secretHash, sha256(presented.secret))) return undefined;
    return { id: stored.id, clientId: stored.clientId, permissions: stored.permissions };
  }

  /** A live credential from the database, cached under the version read before it; undefined when unknown or revoked. */
  private async load(tenantId: string, clientId: string, version: string | null): Promise<StoredCredential | undefined> {
    const stored = await this.runner.inTenant(async (uow) => {
      const [row] = await uow.query<{ id: string; client_id: string; secret_hash: Buffer; revoked: boolean; permissions: string[] }[]>(
        `SELECT id, client_id, secret_hash, revoked_at IS NOT NULL AS revoked, permissions FROM service_credentials WHERE client_id = $1`,
        [clientId],
      );
      if (!row || row.revoked) return undefined;
      // The only last_used_at write: a process loads a credential at most once a minute (the cache's max age),
      // and the condition keeps it to one write a minute across processes.
      await uow.query(`UPDATE service_credentials SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, [row.id]);
      return { id: row.id, clientId: row.client_id, secretHash: row.secret_hash, permissions: row.permissions };
    });
    if (stored) this.cache.put(tenantId, stored, version);
    return stored;
  }

  private async read(keys: string[]): Promise<(string | null)[]> {
    try {
      return await this.reads.get(keys);
    } catch {
      throw new DomainError('service.unavailable', 'Rate limits cannot be checked.');
    }
  }

  /** A block holds its own end (epoch ms), so one MGET answers both "blocked?" and Retry-After. */
  private async block(key: string, seconds: number): Promise<void> {
    try {
      await this.redis.set(key, String(Date.now() + seconds * 1000), 'EX', seconds);
    } catch {
      throw new DomainError('service.unavailable', 'Rate limits cannot be recorded.');
    }
  }
}

function retryAfter(until: string): string {
  const ms = Number(until) - Date.now();
  return String(Number.isFinite(ms) ? Math.max(1, Math.ceil(ms / 1000)) : 1);
}
