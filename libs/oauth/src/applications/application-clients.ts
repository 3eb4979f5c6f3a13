import { Injectable } from '@nestjs/common';
import { sameHash, sha256 } from '@credence/crypto';
import { RequestContext } from '@credence/context';
import { TenantTransactionRunner } from '@credence/tenancy';
import { ApplicationCache } from './application-cache';
import { CLIENT_ID_PATTERN } from './client-secret';
import { APPLICATION_COLUMNS, ApplicationRow } from './application-row';
import type { ApplicationType } from './redirect-uris';

/** An application as the OAuth endpoints see it. */
export interface ApplicationClient {
  id: string;
  clientId: string;
  name: string;
  type: ApplicationType;
  redirectUris: readonly string[];
  postLogoutRedirectUris: readonly string[];
  /** null: every connection of the tenant. */
  connections: readonly string[] | null;
  /** OIDC Core §4 login initiation endpoint, when the app registered one. */
  initiateLoginUri: string | null;
}

type StoredApplication = ApplicationRow & { secret_hash: Buffer | null };

/** Secrets are 47 characters; longer ones are refused before hashing. */
const MAX_SECRET = 200;
/** Compared against when the client is unknown or public, so every failure costs the same hash and compare. */
const NO_SECRET = Buffer.alloc(32);

const toClient = (r: ApplicationRow): ApplicationClient => ({
  id: r.id,
  clientId: r.client_id,
  name: r.name,
  type: r.type,
  redirectUris: r.redirect_uris,
  postLogoutRedirectUris: r.post_logout_redirect_uris,
  connections: r.connections,
  initiateLoginUri: r.initiate_login_uri,
});

/**
 * The ambient tenant's applications for the OAuth endpoints: look one up by client_id (authorization
 * endpoint) and authenticate a confidential one by its secret (token endpoint). Rate limiting of failed
 * attempts is the caller's (the token endpoint counts them per client and address, as introspection does).
 */
@Injectable()
export class ApplicationClients {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly cache: ApplicationCache<StoredApplication | null>,
    private readonly context: RequestContext,
  ) {}

  async find(clientId: string): Promise<ApplicationClient | undefined> {
    // A client id newClientId() cannot have made is no client, answered before any lookup (a NUL from a
    // Basic header, which the input guards never see decoded, would fail in Postgres).
    if (!CLIENT_ID_PATTERN.test(clientId)) return undefined;
    const row = await this.row(clientId);
    return row ? toClient(row) : undefined;
  }

  /**
   * The confidential application whose client_id and current secret these are, or undefined: unknown
   * client, public client (it has no secret), or wrong secret. Constant-time on the hashes.
   */
  async authenticate(clientId: string, secret: string): Promise<ApplicationClient | undefined> {
    if (!CLIENT_ID_PATTERN.test(clientId) || !secret || secret.length > MAX_SECRET) return undefined;
    const presented = sha256(secret);
    const row = await this.row(clientId);
    const stored = row?.secret_hash ?? NO_SECRET;
    const matches = sameHash(stored, presented);
    return row && row.type === 'confidential' && row.secret_hash && matches ? toClient(row) : undefined;
  }

  /** From memory while the tenant's applications are unchanged (ApplicationCache), otherwise from Postgres. Unknown ids are remembered too. */
  private async row(clientId: string): Promise<StoredApplication | undefined> {
    const tenantId = this.context.requireTenant().id;
    const version = await this.cache.version(tenantId);
    const cached = this.cache.get(tenantId, clientId, version);
    if (cached !== undefined) return cached ?? undefined;
    const [row] = await this.runner.queryInTenant<StoredApplication[]>(`SELECT ${APPLICATION_COLUMNS}, secret_hash FROM applications WHERE client_id = $1`, [clientId]);
    this.cache.put(tenantId, clientId, version, row ?? null);
    return row;
  }
}
