import { Inject, Injectable } from '@nestjs/common';
import { PERMISSION_AUTHORIZER, PermissionAuthorizer, UserPrincipal } from '@credence/access';
import { AuditAccessedData, PLATFORM_TENANT_ID } from '@credence/contracts';
import { TenantTransactionRunner } from '@credence/tenancy';
import { MASK } from './masking';

export interface ReadGrant {
  /** Whether the reader sees ip, user agent, location and identity fields unmasked. */
  personal: boolean;
}

/** The query parameters of a read, as strings, an ip filter masked: what audit.log.accessed records. */
export function recordedFilters(query: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    out[key] = key === 'ip' ? MASK : String(value);
  }
  return out;
}

/**
 * Opens a read of the tenant's trail: decides whether the reader sees personal fields
 * (`audit.read_personal:any`), refuses an `ip` filter to readers who may not see addresses, and
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
    if (options.ipFilter && !allowed) {
      await this.authz.deny({ user: me }, readPersonal, 'no_permission', 'Filtering by ip needs audit.read_personal:any.');
    }
    await this.runner.inTenant(async (uow) => {
      uow.emit('audit.log.accessed', `audit/${tenant.slug}`, { action, personal_fields: allowed, filters: recordedFilters(query) });
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
      uow.emit('audit.log.accessed', `audit/${PLATFORM_TENANT_ID}`, { action, personal_fields: true, filters: recordedFilters(query) }, PLATFORM_TENANT_ID);
    });
    return { personal: true };
  }
}
