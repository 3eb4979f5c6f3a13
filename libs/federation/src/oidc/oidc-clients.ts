import { Inject, Injectable } from '@nestjs/common';
import * as client from 'openid-client';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import type { Connection } from '../connections/connection';
import { OutboundFetch } from '../outbound/outbound-fetch';
import { outboundCustomFetch } from './oidc-fetch';

/** A discovery document is refetched after an hour (the IdP's endpoints and jwks_uri rarely move). */
export const DISCOVERY_MAX_AGE_MS = 3600_000;
/** Connections whose discovery and keys one process keeps; the oldest goes first. */
const MAX_ENTRIES = 1000;
/**
 * openid-client refetches a JWKS for an unknown `kid` only when its copy is 60 s old or more. Each
 * callback hands it our copy dated at least this old, so an unknown `kid` refetches once at once
 * (a rotated IdP key works on its first use) and a key still unknown after that is refused.
 */
const REFETCH_AGE_SECONDS = 60;

interface Cached {
  issuer: string;
  clientId: string;
  metadata: client.ServerMetadata;
  fetchedAt: number;
  jwks?: { jwks: client.JWKS; uat: number };
}

const epoch = () => Math.floor(Date.now() / 1000);

/**
 * openid-client Configurations for a tenant's OIDC connections: discovery through the SSRF guard,
 * cached per connection and refreshed; one fresh Configuration per sign-in over the cached metadata
 * and the connection's JWKS copy, with the ID token's signature checked (enableNonRepudiationChecks:
 * openid-client otherwise trusts TLS and skips it).
 */
@Injectable()
export class OidcClients {
  private readonly cache = new Map<string, Cached>();
  /** The JWKS date each Configuration was handed: a different one afterwards means openid-client refetched. */
  private readonly handed = new WeakMap<client.Configuration, number>();
  private readonly fetch: client.CustomFetch;
  private readonly timeoutSeconds: number;
  private readonly insecure: boolean;

  constructor(
    outbound: OutboundFetch,
    private readonly context: RequestContext,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.fetch = outboundCustomFetch(outbound, config.FEDERATION_OIDC_TIMEOUT_MS);
    // openid-client's own deadline stays behind the guard's, so the guard's clearer error wins.
    this.timeoutSeconds = Math.ceil(config.FEDERATION_OIDC_TIMEOUT_MS / 1000) + 1;
    // The guard already refuses http in production; outside it, http on loopback is allowed (tests).
    this.insecure = config.NODE_ENV !== 'production';
  }

  /** A Configuration for one sign-in at this connection; discovery happens here when due. */
  async configuration(connection: Connection, auth: client.ClientAuth = client.None()): Promise<client.Configuration> {
    const cached = await this.discovered(connection);
    const config = new client.Configuration(cached.metadata, connection.oidc!.client_id, {}, auth);
    config[client.customFetch] = this.fetch;
    config.timeout = this.timeoutSeconds;
    if (this.insecure) client.allowInsecureRequests(config);
    client.enableNonRepudiationChecks(config);
    if (cached.jwks) {
      const uat = Math.min(cached.jwks.uat, epoch() - REFETCH_AGE_SECONDS);
      client.setJwksCache(config, { jwks: cached.jwks.jwks, uat });
      this.handed.set(config, uat);
    }
    return config;
  }

  /** Keeps the JWKS a sign-in fetched (or refetched) for the next ones. */
  keepKeys(connection: Connection, config: client.Configuration): void {
    const cached = this.cache.get(this.key(connection));
    const jwks = client.getJwksCache(config);
    if (!cached || !jwks?.jwks || typeof jwks.uat !== 'number' || jwks.uat === this.handed.get(config)) return;
    cached.jwks = { jwks: jwks.jwks as client.JWKS, uat: jwks.uat };
  }

  private async discovered(connection: Connection): Promise<Cached> {
    const oidc = connection.oidc!;
    const key = this.key(connection);
    const cached = this.cache.get(key);
    if (cached && cached.issuer === oidc.issuer && cached.clientId === oidc.client_id && Date.now() - cached.fetchedAt < DISCOVERY_MAX_AGE_MS) return cached;
    const found = await client.discovery(new URL(oidc.issuer), oidc.client_id, undefined, client.None(), {
      [client.customFetch]: this.fetch,
      execute: this.insecure ? [client.allowInsecureRequests] : [],
      timeout: this.timeoutSeconds,
    });
    const fresh: Cached = { issuer: oidc.issuer, clientId: oidc.client_id, metadata: found.serverMetadata(), fetchedAt: Date.now() };
    // The same keys stay valid across a discovery refresh unless the jwks_uri moved.
    if (cached?.jwks && cached.metadata.jwks_uri === fresh.metadata.jwks_uri) fresh.jwks = cached.jwks;
    this.cache.delete(key);
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, fresh);
    return fresh;
  }

  private key(connection: Pick<Connection, 'id'>): string {
    return `${this.context.requireTenant().id}:${connection.id}`;
  }
}
