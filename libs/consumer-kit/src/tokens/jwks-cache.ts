import { createPublicKey, JsonWebKey, KeyObject } from 'node:crypto';

interface TenantKeys {
  keys: Map<string, KeyObject>;
  /** When the keys were last asked for, successfully or not. */
  fetchedAt: number;
  /** Set when that last fetch failed: thrown again, without fetching, until minRefreshMs has passed. */
  failure?: Error;
}

export interface JwksCacheOptions {
  /** Credence's public base URL, e.g. https://id.example.com */
  baseUrl: string;
  /** Keys are refetched after this long. Default 5 minutes. */
  ttlMs?: number;
  /**
   * A tenant's JWKS is fetched at most this often (a forged kid, an unknown tenant or a Credence that
   * is down must not hammer Credence). Default 10 s.
   */
  minRefreshMs?: number;
  /** Tenants remembered at most (the oldest are forgotten first), unknown ones included. Default 10,000. */
  maxTenants?: number;
  fetch?: typeof fetch;
}

/** The JWKS could not be fetched (Credence down, an error answer): the token cannot be checked now. */
export class JwksUnavailable extends Error {}

/**
 * Tenants' ES256 public keys from GET {base}/v1/t/{tenant}/.well-known/jwks.json, cached per tenant.
 * An unknown tenant (404) is remembered as one without keys; a failed fetch is remembered too, so
 * neither makes every request fetch again.
 */
export class JwksCache {
  private readonly cache = new Map<string, TenantKeys>();
  private readonly inFlight = new Map<string, Promise<TenantKeys>>();

  constructor(private readonly o: JwksCacheOptions) {}

  /**
   * The key for `kid`, refreshing once when the kid is unknown (keys rotate). Undefined when it does
   * not exist; throws JwksUnavailable when the keys cannot be fetched.
   */
  async key(tenant: string, kid: string): Promise<KeyObject | undefined> {
    const minRefreshMs = this.o.minRefreshMs ?? 10_000;
    let entry = this.cache.get(tenant);
    const age = entry ? Date.now() - entry.fetchedAt : Infinity;
    if (entry?.failure && age < minRefreshMs) throw entry.failure;
    if (!entry || entry.failure || age > (this.o.ttlMs ?? 300_000)) entry = await this.refresh(tenant);
    const found = entry.keys.get(kid);
    if (found || Date.now() - entry.fetchedAt < minRefreshMs) return found;
    return (await this.refresh(tenant)).keys.get(kid);
  }

  private refresh(tenant: string): Promise<TenantKeys> {
    const running = this.inFlight.get(tenant);
    if (running) return running;
    const p = this.load(tenant)
      .catch((err: unknown) => {
        const failure = err instanceof JwksUnavailable ? err : new JwksUnavailable(`JWKS of ${tenant}: ${(err as Error).message}`);
        this.remember(tenant, { keys: new Map(), fetchedAt: Date.now(), failure });
        throw failure;
      })
      .finally(() => this.inFlight.delete(tenant));
    this.inFlight.set(tenant, p);
    return p;
  }

  private async load(tenant: string): Promise<TenantKeys> {
    const res = await (this.o.fetch ?? fetch)(`${this.o.baseUrl}/v1/t/${encodeURIComponent(tenant)}/.well-known/jwks.json`, { signal: AbortSignal.timeout(5_000) });
    // No such tenant: no keys, remembered like any other answer.
    if (res.status === 404) return this.remember(tenant, { keys: new Map(), fetchedAt: Date.now() });
    if (!res.ok) throw new JwksUnavailable(`JWKS of ${tenant}: HTTP ${res.status}`);
    const body = (await res.json()) as { keys?: (JsonWebKey & { kid?: string; alg?: string; use?: string })[] };
    const keys = new Map<string, KeyObject>();
    for (const jwk of body.keys ?? []) {
      // Only what Credence issues: P-256 signing keys for ES256.
      if (!jwk.kid || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || (jwk.alg && jwk.alg !== 'ES256') || (jwk.use && jwk.use !== 'sig')) continue;
      keys.set(jwk.kid, createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' }));
    }
    return this.remember(tenant, { keys, fetchedAt: Date.now() });
  }

  private remember(tenant: string, entry: TenantKeys): TenantKeys {
    this.cache.delete(tenant); // re-inserted last: the map's order is the oldest fetch first
    if (this.cache.size >= (this.o.maxTenants ?? 10_000)) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(tenant, entry);
    return entry;
  }
}
