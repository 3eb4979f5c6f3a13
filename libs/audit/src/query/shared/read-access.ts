import { Injectable } from '@nestjs/common';
import { AuditAccessedData, PLATFORM_TENANT_ID } from '@credence/contracts';
import { AuthorizationService, Principal } from '@credence/identity';
import { TenantTransactionRunner } from '@credence/tenancy';
import { isPersonalSubject, MASK } from './masking';

export interface ReadGrant {
  /** Whether the reader sees ip, user agent, location and identity fields unmasked. */
  personal: boolean;
}

/** Whether a read filters on personal data: an address (`ip`), or a subject that carries one or an e-mail address. */
export function filtersOnPersonalData(query: object): boolean {
  const { ip, subject } = query as { ip?: unknown; subject?: unknown };
  return !!ip || (typeof subject === 'string' && isPersonalSubject(subject));
}

/** The query parameters of a read, as strings, personal filters masked: what audit.log.accessed records. */
export function recordedFilters(query: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    const personal = key === 'ip' || (key === 'subject' && isPersonalSubject(String(value)));
    out[key] = personal ? MASK : String(value);
  }
  return out;
}

/**
 * Opens a read of the tenant's trail: decides whether the reader sees personal fields
 * (`audit.read_personal:any`), refuses a filter on personal data (`ip`, or a subject such as
 * `ip/<address>`) to readers who may not see it, so a masked value cannot be found by guessing, and
 * records audit.log.accessed in a transaction of its own before anything is read.
 */
@Injectable()
export class AuditReadAccess {
  constructor(
    private readonly runner: TenantTransactionRunner,
    private readonly authz: AuthorizationService,
  ) {}

  async open(me: Principal, action: AuditAccessedData['action'], query: object, options: { ipFilter?: boolean } = {}): Promise<ReadGrant> {
    const tenant = this.runner.assertAmbientTenant(me.tenantId);
    const personal = await this.runner.inTenant(async (uow) => {
      const decision = await this.authz.decideIn(uow, me.userId, { resource: 'audit', action: 'read_personal' });
      if ((options.ipFilter || filtersOnPersonalData(query)) && !decision.allowed) return null;
      uow.emit('audit.log.accessed', `audit/${tenant.slug}`, { action, personal_fields: decision.allowed, filters: recordedFilters(query) });
      return decision.allowed;
    });
    if (personal === null) {
      await this.authz.deny(me.userId, 'audit', 'read_personal', 'no_permission', 'Filtering by ip, or by a subject that names an address or e-mail, needs audit.read_personal:any.');
    }
    return { personal: !!personal };
  }

  /**
   * Opens a read of the platform trail by a platform admin (PlatformAdminGuard has set the actor to
   * `platform-admin:<key id>`): admins operate the platform and see personal fields unmasked. Records
   * audit.log.accessed, subject `audit/platform`, into the platform trail in a transaction of its own
   * before anything is read.
   */
  async openPlatform(action: AuditAccessedData['action'], query: object): Promise<ReadGrant> {
    await this.runner.inPlatform(async (uow) => {
      uow.emit('audit.log.accessed', `audit/${PLATFORM_TENANT_ID}`, { action, personal_fields: true, filters: recordedFilters(query) }, PLATFORM_TENANT_ID);
    });
    return { personal: true };
  }
}
