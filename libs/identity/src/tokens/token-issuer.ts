import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { TenantRef } from '@credence/context';
import { TenantRegistry } from '@credence/tenancy';
import { signingKeyOf, SigningKeyStore } from '../keys/signing-key-store';
import { AccessTokenClaims, signEs256 } from './jwt';

export interface IssuedAccessToken {
  token: string;
  claims: AccessTokenClaims;
  expiresIn: number;
}

/**
 * What an access token will say of itself before its subject is known: its id and lifetime. A unit of
 * work that records the token in an event inside the statement that also decides the subject (refresh
 * rotation) takes these first and signs once the statement has answered.
 */
export interface AccessTokenDraft {
  jti: string;
  iat: number;
  exp: number;
  expiresIn: number;
}

export function issuerFor(baseUrl: string, slug: string): string {
  return `${baseUrl}/v1/t/${slug}`;
}

type Settings = Awaited<ReturnType<TenantRegistry['settings']>>;

/** Settings read this recently are used as they are (the registry caches them as long). */
const SETTINGS_FRESH_MS = 2_000;
/** Older ones are still used, while one lookup refreshes them in the background, up to this age. */
const SETTINGS_STALE_MS = 60_000;

/** Access tokens (RFC 9068 profile): short-lived ES256 JWTs signed with the tenant's active key. */
@Injectable()
export class TokenIssuer {
  private readonly settingsSeen = new Map<string, { value: Settings; at: number }>();
  private readonly settingsLoading = new Map<string, Promise<Settings>>();

  constructor(
    private readonly keys: SigningKeyStore,
    private readonly registry: TenantRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Warms the tenant's keys and settings. Call it before opening the transaction that will issue:
   * inside it, a cold cache would wait for a second pooled connection.
   */
  async prepare(tenant: TenantRef): Promise<void> {
    // An unreadable signing key refuses here (tenant.keys_unreadable), before anything is written.
    await Promise.all([this.keys.signingKeyFor(tenant), this.settingsFor(tenant)]);
  }

  /** The id and lifetime of a token to be issued later with issue(tenant, subject, draft). */
  async draft(tenant: TenantRef): Promise<AccessTokenDraft> {
    const settings = await this.settingsFor(tenant);
    const now = Math.floor(Date.now() / 1000);
    return { jti: randomUUID(), iat: now, exp: now + settings.access_token_ttl_seconds, expiresIn: settings.access_token_ttl_seconds };
  }

  /**
   * `clientId` and `scope` (RFC 9068 claims) are set when the OpenID Provider issues the token to an
   * application; `draft`, when given, fixes its id and lifetime (see draft()).
   */
  async issue(
    tenant: TenantRef,
    subject: { userId: string; sessionId: string; roles: string[]; clientId?: string; scope?: string },
    draft?: AccessTokenDraft,
  ): Promise<IssuedAccessToken> {
    const [keys, planned] = await Promise.all([this.keys.keysFor(tenant), draft ?? this.draft(tenant)]);
    this.keys.rotateIfOld(tenant, keys);
    const signing = signingKeyOf(keys);
    const iss = issuerFor(this.config.CREDENCE_BASE_URL, tenant.slug);
    const claims: AccessTokenClaims = {
      iss,
      aud: iss,
      sub: subject.userId,
      tid: tenant.id,
      sid: subject.sessionId,
      jti: planned.jti,
      iat: planned.iat,
      nbf: planned.iat,
      exp: planned.exp,
      roles: subject.roles,
      ...(subject.clientId ? { client_id: subject.clientId } : {}),
      ...(subject.scope ? { scope: subject.scope } : {}),
    };
    const token = signEs256({ alg: 'ES256', typ: 'at+jwt', kid: signing.kid }, claims, signing.key);
    return { token, claims, expiresIn: planned.expiresIn };
  }

  /**
   * An access token for an application itself (OAuth client_credentials): `sub` and `client_id` are
   * the client, there is no session (`sid`) and no roles, so user routes refuse it; introspection
   * accepts it. It cannot be revoked one by one: it lives as long as the tenant's access-token TTL.
   */
  async issueForClient(tenant: TenantRef, clientId: string): Promise<{ token: string; expiresIn: number }> {
    const [keys, settings] = await Promise.all([this.keys.keysFor(tenant), this.settingsFor(tenant)]);
    this.keys.rotateIfOld(tenant, keys);
    const signing = signingKeyOf(keys);
    const now = Math.floor(Date.now() / 1000);
    const iss = issuerFor(this.config.CREDENCE_BASE_URL, tenant.slug);
    const claims = {
      iss,
      aud: iss,
      sub: clientId,
      client_id: clientId,
      tid: tenant.id,
      jti: randomUUID(),
      iat: now,
      nbf: now,
      exp: now + settings.access_token_ttl_seconds,
      roles: [],
    };
    const token = signEs256({ alg: 'ES256', typ: 'at+jwt', kid: signing.kid }, claims, signing.key);
    return { token, expiresIn: settings.access_token_ttl_seconds };
  }

  /**
   * The tenant's settings, without waiting for the database when they were read in the last minute.
   * issue() runs inside the session's transaction, which holds a pooled connection: a registry lookup
   * awaited there needs a second one, and once every pooled connection is held that way (as many
   * concurrent logins or refreshes as DB_POOL_MAX, when the registry's 2 s cache expires) the pool
   * deadlocks. Past SETTINGS_FRESH_MS the last value is used while one lookup refreshes it.
   */
  private settingsFor(tenant: TenantRef): Promise<Settings> {
    const seen = this.settingsSeen.get(tenant.id);
    const age = seen ? Date.now() - seen.at : Infinity;
    if (age < SETTINGS_FRESH_MS) return Promise.resolve(seen!.value);
    let pending = this.settingsLoading.get(tenant.id);
    if (!pending) {
      pending = this.registry
        .settings(tenant)
        .then((value) => {
          if (this.settingsSeen.size > 10_000) this.settingsSeen.clear();
          this.settingsSeen.set(tenant.id, { value, at: Date.now() });
          return value;
        })
        .finally(() => this.settingsLoading.delete(tenant.id));
      this.settingsLoading.set(tenant.id, pending);
    }
    if (age < SETTINGS_STALE_MS) {
      pending.catch(() => undefined); // the next call retries
      return Promise.resolve(seen!.value);
    }
    return pending;
  }
}
