import { Injectable } from '@nestjs/common';
import { RequestContext, TenantRef } from '@credence/context';
import { CredenceCloudEvent, PLATFORM_TENANT_ID } from '@credence/contracts';
import { TenantRegistry, TenantTransactionRunner, UnitOfWork } from '@credence/tenancy';

/**
 * Whose webhooks: a tenant's id (its schema's `webhooks` tables) or PLATFORM_TENANT_ID (the
 * `platform_webhooks` schema's, for platform admins). Both scopes have the same tables under the same
 * names, so every query of this lib runs unchanged in either: only the unit of work differs. The
 * platform's are not in `platform`, which ends every tenant's search path.
 */
export type WebhookOwner = string;

export const PLATFORM_OWNER: WebhookOwner = PLATFORM_TENANT_ID;

export const WEBHOOK_ACTOR = 'system:webhooks';

const PLATFORM_SCOPE = { platformSideSchema: 'platform_webhooks' } as const;

const TENANT_MS = 1_000;

/**
 * Which scopes an event is delivered in. Platform events are the ones the platform admin code emits
 * (`tenant.*`, whose `tenantid` is the tenant they are about) and those that concern no tenant
 * (`tenantid` `platform`): platform webhooks get them. A `tenant.*` event is also its own tenant's
 * (a tenant admin may follow their tenant's settings and status); no tenant gets another's, nor
 * the platform's own events. Every other event goes to the webhooks of its tenant only.
 */
export function eventOwners(event: Pick<CredenceCloudEvent, 'type' | 'tenantid'>): WebhookOwner[] {
  const tenant = typeof event.tenantid === 'string' && event.tenantid && event.tenantid !== PLATFORM_TENANT_ID ? event.tenantid : undefined;
  if (event.tenantid === PLATFORM_TENANT_ID) return [PLATFORM_OWNER];
  if (event.type.startsWith('tenant.')) return tenant ? [PLATFORM_OWNER, tenant] : [PLATFORM_OWNER];
  return tenant ? [tenant] : [];
}

/** Units of work on one scope's webhooks. */
@Injectable()
export class WebhookUnits {
  /** Tenants by id for a second: the worker's many concurrent units of one tenant share one registry look-up. */
  private readonly tenants = new Map<string, { at: number; tenant: Promise<TenantRef | null> }>();

  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly context: RequestContext,
    private readonly registry: TenantRegistry,
  ) {}

  /** For a request: a tenant owner must be the tenant in context (the route's), the platform needs none. */
  run<T>(owner: WebhookOwner, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    if (owner === PLATFORM_OWNER) return this.runner.inPlatform(work, PLATFORM_SCOPE);
    this.runner.assertAmbientTenant(owner);
    return this.runner.inTenant(work);
  }

  /** For the fan-out and the worker: acts as system:webhooks in the owner's scope; undefined when the tenant is gone. */
  async asSystem<T>(owner: WebhookOwner, work: (uow: UnitOfWork) => Promise<T>): Promise<T | undefined> {
    if (owner === PLATFORM_OWNER) return this.context.runWith({ principal: WEBHOOK_ACTOR }, () => this.runner.inPlatform(work, PLATFORM_SCOPE));
    const tenant = await this.tenant(owner);
    if (!tenant) return undefined;
    return this.context.runWith({ tenant, principal: WEBHOOK_ACTOR }, () => this.runner.inTenant(work));
  }

  private tenant(id: string): Promise<TenantRef | null> {
    const hit = this.tenants.get(id);
    if (hit && Date.now() - hit.at < TENANT_MS) return hit.tenant;
    if (this.tenants.size > 10_000) this.tenants.clear();
    const tenant = this.registry.byId(id);
    this.tenants.set(id, { at: Date.now(), tenant });
    tenant.catch(() => this.tenants.delete(id));
    return tenant;
  }

  /** The id of the tenant in context: the owner of a tenant route's webhooks. */
  ambientTenant(): WebhookOwner {
    return this.context.requireTenant().id;
  }
}
