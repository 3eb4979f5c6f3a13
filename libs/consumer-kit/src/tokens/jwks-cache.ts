import { createPublicKey, JsonWebKey, KeyObject } from 'node:crypto';

interface TenantKeys {
  keys: Map<string, KeyObject>;
  fetchedAt: number;
}

export interface JwksCacheOptions {
  /** Credence's public base URL, e.g. https://id.example.com */
  baseUrl: string;
  /** Keys are refetched after this long. Default 5 minutes. */
  ttlMs?: number;
  /** An unknown kid refetches at most this often per tenant (a forged kid must not hammer Credence). Default 10 s. */
  minRefreshMs?: number;
  fetch?: typeof fetch;
}

/** Tenants' ES256 public keys from GET {base}/v1/t/{tenant}/.well-known/jwks.json, cached per tenant. */
export class JwksCache {
  private readonly cache = new Map<string, TenantKeys>();
  private readonly inFlight = new Map<string, Promise<TenantKeys>>();

  constructor(private readonly o: JwksCacheOptions) {}

  /** The key for `kid`, refreshing once when the kid is unknown (keys rotate). Undefined when it does not exist. */
  async key(tenant: string, kid: string): Promise<KeyObject | undefined> {
    let entry = this.cache.get(tenant);
    if (!entry || Date.now() - entry.fetchedAt > (this.o.ttlMs ?? 300_000)) entry = await this.refresh(tenant);
    const found = entry.keys.get(kid);
    if (found || Date.now() - entry.fetchedAt < (this.o.minRefreshMs ?? 10_000)) return found;
    return (await this.refresh(tenant)).keys.get(kid);
  }

  private refresh(tenant: string): Promise<TenantKeys> {
    const running = this.inFlight.get(tenant);
    if (running) return running;
    const p = this.load(tenant).finally(() => this.inFlight.delete(tenant));
    this.inFlight.set(tenant, p);
    return p;
  }

  private async load(tenant: string): Promise<TenantKeys> {
    const res = await (this.o.fetch ?? fetch)(`${this.o.baseUrl}/v1/t/${encodeURIComponent(tenant)}/.well-known/jwks.json`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`JWKS of ${tenant}: HTTP ${res.status}`);
    const body = (await res.json()) as { keys?: (JsonWebKey & { kid?: string; alg?: string; use?: string })[] };
    const keys = new Map<string, KeyObject>();
    for (const jwk of body.keys ?? []) {
      // Only what Credence issues: P-256 signing keys for ES256.
      if (!jwk.kid || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || (jwk.alg && jwk.alg !== 'ES256') || (jwk.use && jwk.use !== 'sig')) continue;
      keys.set(jwk.kid, createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' }));
    }
    const entry = { keys, fetchedAt: Date.now() };
    this.cache.set(tenant, entry);
    return entry;
  }
}
