import { Inject, Injectable } from '@nestjs/common';
import { PERMISSION_AUTHORIZER, PermissionAuthorizer, UserPrincipal } from '@credence/access';
import { AuditAccessedData, PLATFORM_TENANT_ID, subjects } from '@credence/contracts';
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
    @Inject(PERMISSION_AUTHORIZER) private readonly authz: PermissionAuthorizer,
  ) {}

  async open(me: UserPrincipal, action: AuditAccessedData['action'], query: object, options: { ipFilter?: boolean } = {}): Promise<ReadGrant> {
    const tenant = this.runner.assertAmbientTenant(me.tenantId);
    const readPersonal = { resource: 'audit', action: 'read_personal' };
    const { allowed } = await this.authz.decide({ user: me }, readPersonal);
    if ((options.ipFilter || filtersOnPersonalData(query)) && !allowed) {
      await this.authz.deny({ user: me }, readPersonal, 'no_permission', 'Filtering by ip, or by a subject that names an address or e-mail, needs audit.read_personal:any.');
    }
    await this.runner.inTenant(async (uow) => {
      uow.emit('audit.log.accessed', subjects.auditTrail(tenant.slug), { action, personal_fields: allowed, filters: recordedFilters(query) });
    });
    return { personal: allowed };
  }

  /**
   * Opens a read of the platform trail by a platform admin (the global guard has set the principal to
   * `platform-admin:<key id>`): admins operate the platform and see personal fields unmasked. Records
   * audit.log.accessed, subject `audit/platform`, into the platform trail in a transaction of its own
   * before anything is read.
   */
  async openPlatform(action: AuditAccessedData['action'], query: object): Promise<ReadGrant> {
    await this.runner.inPlatform(async (uow) => {
      uow.emit('audit.log.accessed', subjects.auditTrail(PLATFORM_TENANT_ID), { action, personal_fields: true, filters: recordedFilters(query) }, PLATFORM_TENANT_ID);
    });
    return { personal: true };
  }
}
