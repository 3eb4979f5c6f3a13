import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { ActorSystem } from '@credence/actors';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { RequestContext } from '@credence/context';
import { subjects } from '@credence/contracts';
import { DomainError } from '@credence/errors';
import { REDIS } from '@credence/redis';
import { TenantTransactionRunner } from '@credence/tenancy';
import { certificateInfo } from '../certificates';
import type { SamlSettings } from '../connection';
import { ConnectionCache } from '../connection-cache';
import { connectionActor, connectionEventData, ConnectionRecord, getConnection, RECORD_SELECT } from '../connection-row';
import { IdpMetadata, MetadataProblem } from '../idp-metadata';
import { IdpMetadataSource } from '../idp-metadata-source';

export interface RefreshOutcome {
  refreshed: number;
  failed: number;
  expiringNotices: number;
}

const DAY_SECONDS = 24 * 3600;
const IDP_FIELDS = ['idp_entity_id', 'idp_sso_url', 'idp_slo_url', 'idp_certificates'] as const;

/**
 * The scheduled upkeep of the SAML connections of the tenant in context:
 * - a connection whose IdP settings came from a metadata URL gets them refetched (through the SSRF
 *   guard); changes are stored with federation.connection.updated naming them; a failure sets status
 *   'error' with the reason in status_detail and keeps the last good settings;
 * - every IdP certificate expiring within 30 days (or expired) gets
 *   federation.connection.certificate_expiring, at most once a day per certificate (a Redis marker).
 */
@Injectable()
export class MetadataRefresh {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly actors: ActorSystem,
    private readonly context: RequestContext,
    private readonly metadata: IdpMetadataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cache: ConnectionCache,
  ) {}

  async refreshTenant(now = Date.now()): Promise<RefreshOutcome> {
    const tenant = this.context.requireTenant();
    const connections = await this.runner.queryInTenant<ConnectionRecord[]>(`${RECORD_SELECT} WHERE c.type = 'saml' ORDER BY c.id`);
    const outcome: RefreshOutcome = { refreshed: 0, failed: 0, expiringNotices: 0 };
    for (const c of connections) {
      let settings = c.config.saml;
      if (!settings) continue;
      if (settings.idp_metadata_url) {
        const fetched = await this.metadata.fetch(settings.idp_metadata_url).then(
          (m): IdpMetadata | string => m,
          (err: unknown) => (err instanceof MetadataProblem ? err.issue : err instanceof DomainError ? err.message : 'unexpected error'),
        );
        const stored = await this.store(tenant.id, c.id, fetched);
        if (typeof fetched === 'string') outcome.failed += 1;
        else outcome.refreshed += 1;
        settings = stored ?? settings;
      }
      outcome.expiringNotices += await this.noticeExpiring(tenant.id, c.id, settings, now);
    }
    return outcome;
  }

  /**
   * Writes the refetched IdP settings (or the failure) on the locked row; returns the settings now stored.
   * Every write bumps the tenant's connections version (ConnectionCache), a status_detail alone included,
   * which has no event: the sign-in paths read connections from memory until the version moves.
   */
  private async store(tenantId: string, id: string, fetched: IdpMetadata | string): Promise<SamlSettings | undefined> {
    let wrote = false;
    const stored = await this.actors.send(connectionActor(tenantId, id), async (uow) => {
      const current = await getConnection(uow, id, 'FOR UPDATE').catch(() => undefined);
      const saml = current?.config.saml;
      if (!current || !saml?.idp_metadata_url) return undefined; // deleted or changed meanwhile
      const next: SamlSettings =
        typeof fetched === 'string'
          ? saml
          : { ...saml, idp_entity_id: fetched.entityId, idp_sso_url: fetched.ssoUrl, idp_slo_url: fetched.sloUrl, idp_certificates: fetched.certificates };
      if (next.idp_slo_url === undefined) delete next.idp_slo_url;
      const changed: string[] = IDP_FIELDS.filter((f) => JSON.stringify(next[f]) !== JSON.stringify(saml[f])).map((f) => `saml.${f}`);
      const status = typeof fetched === 'string' ? 'error' : 'active';
      const detail = typeof fetched === 'string' ? `metadata refresh failed: ${fetched}`.slice(0, 500) : null;
      if (status !== current.status) changed.push('status');
      if (!changed.length && detail === current.status_detail) return next;
      await uow.query(`UPDATE connections SET config = jsonb_set(config, '{saml}', $2::jsonb), status = $3, status_detail = $4, updated_at = now() WHERE id = $1`, [
        id,
        JSON.stringify(next),
        status,
        detail,
      ]);
      wrote = true;
      if (changed.length) uow.emit('federation.connection.updated', subjects.connection(id), { ...connectionEventData(current), changed });
      return next;
    });
    if (wrote) await this.cache.bump(tenantId).catch(() => undefined);
    return stored;
  }

  private async noticeExpiring(tenantId: string, id: string, settings: SamlSettings, now: number): Promise<number> {
    let sent = 0;
    for (const pem of settings.idp_certificates) {
      const info = certificateInfo(pem, now);
      if (!info.expiring && !info.expired) continue;
      const marker = `${this.config.REDIS_PREFIX}:federation:certificate-expiring:${tenantId}:${id}:${info.fingerprint}`;
      if ((await this.redis.set(marker, String(now), 'EX', DAY_SECONDS, 'NX')) !== 'OK') continue;
      await this.runner.inTenant(async (uow) => {
        uow.emit('federation.connection.certificate_expiring', subjects.connection(id), { connection_id: id, not_after: info.not_after, fingerprint: info.fingerprint });
      });
      sent += 1;
    }
    return sent;
  }
}
