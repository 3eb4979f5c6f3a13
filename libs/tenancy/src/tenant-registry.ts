import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@credence/errors';
import { TenantRef } from '@credence/context';
import { Tenant } from './entities/tenant.platform-entity';
import { TenantStatus } from './tenant-status';
import { DEFAULT_TENANT_SETTINGS, TenantSettings } from './tenant-settings';

interface CachedTenant {
  ref: TenantRef;
  status: TenantStatus;
  settings: Required<TenantSettings>;
  expires: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Short enough that a suspension is honoured everywhere within seconds, long enough to spare the registry. */
const CACHE_TTL_MS = 2_000;

/** Resolves `/t/{tenant}` slugs against platform.tenants. */
@Injectable()
export class TenantRegistry {
  private readonly cache = new Map<string, CachedTenant>();
  /** One read per slug at a time: when an entry expires under load, the requests meanwhile share that read. */
  private readonly reading = new Map<string, Promise<CachedTenant | undefined>>();
  /** Bumped by forget(): a read that began before it is answered but not cached. */
  private generation = 0;
  /** id → slug; a slug never changes, so this needs no expiry. */
  private readonly slugs = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {}

  /** The tenant behind a slug if it may serve requests: active only. */
  async resolveServing(slug: string): Promise<TenantRef> {
    const found = await this.lookup(slug);
    if (!found || found.status === 'deleted' || found.status === 'offboarding' || found.status === 'provisioning') {
      throw new DomainError('tenant.not_found');
    }
    if (found.status === 'suspended') throw new DomainError('tenant.suspended');
    return found.ref;
  }

  /** The tenant's settings with platform defaults filled in (cached like the tenant itself). */
  async settings(tenant: TenantRef): Promise<Required<TenantSettings>> {
    const found = await this.lookup(tenant.slug);
    return found?.settings ?? { ...DEFAULT_TENANT_SETTINGS };
  }

  /**
   * A tenant by id, whatever its status but `deleted` (consumers of its events, e.g. the audit
   * trail, still write while it is suspended or offboarding); null when there is none (yet).
   */
  async byId(id: string): Promise<TenantRef | null> {
    let slug = this.slugs.get(id);
    if (!slug) {
      if (!UUID.test(id)) return null;
      const [row] = await this.dataSource.query<{ slug: string }[]>('SELECT slug FROM platform.tenants WHERE id = $1', [id]);
      if (!row) return null;
      slug = row.slug;
      if (this.slugs.size > 10_000) this.slugs.clear();
      this.slugs.set(id, slug);
    }
    const found = await this.lookup(slug);
    return found && found.status !== 'deleted' ? found.ref : null;
  }

  forget(slug: string): void {
    this.generation += 1;
    this.cache.delete(slug);
    this.reading.delete(slug);
  }

  private lookup(slug: string): Promise<CachedTenant | undefined> {
    const hit = this.cache.get(slug);
    if (hit && hit.expires > Date.now()) return Promise.resolve(hit);
    let read = this.reading.get(slug);
    if (!read) {
      read = this.read(slug, this.generation).finally(() => {
        if (this.reading.get(slug) === read) this.reading.delete(slug);
      });
      this.reading.set(slug, read);
    }
    return read;
  }

  private async read(slug: string, generation: number): Promise<CachedTenant | undefined> {
    const row = await this.dataSource.getRepository(Tenant).findOne({ where: { slug }, select: { id: true, slug: true, schemaName: true, status: true, settings: true } });
    if (!row) {
      if (generation === this.generation) this.cache.delete(slug);
      return undefined;
    }
    const entry: CachedTenant = {
      ref: { id: row.id, slug: row.slug, schema: row.schemaName },
      status: row.status,
      settings: { ...DEFAULT_TENANT_SETTINGS, ...row.settings },
      expires: Date.now() + CACHE_TTL_MS,
    };
    if (generation !== this.generation) return entry; // forgotten meanwhile: may predate the change
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(slug, entry);
    return entry;
  }
}
