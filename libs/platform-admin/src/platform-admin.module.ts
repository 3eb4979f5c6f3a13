import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { BootstrapAdminKey } from './api-keys/bootstrap-admin-key';
import { CreateApiKeyHandler } from './api-keys/commands/create-api-key/create-api-key.handler';
import { RevokeApiKeyHandler } from './api-keys/commands/revoke-api-key/revoke-api-key.handler';
import { ListApiKeysHandler } from './api-keys/queries/list-api-keys/list-api-keys.handler';
import { ChangeTenantStatusHandler } from './tenants/commands/change-tenant-status/change-tenant-status.handler';
import { OffboardTenantHandler } from './tenants/commands/offboard-tenant/offboard-tenant.handler';
import { OnboardTenantHandler } from './tenants/commands/onboard-tenant/onboard-tenant.handler';
import { ReissueInvitationHandler } from './tenants/commands/reissue-invitation/reissue-invitation.handler';
import { UpdateTenantHandler } from './tenants/commands/update-tenant/update-tenant.handler';
import { PurgeScheduler } from './tenants/jobs/purge-scheduler';
import { PurgeTenantProcessor } from './tenants/jobs/purge-tenant.processor';
import { ProvisioningRecovery } from './tenants/provisioning/provisioning-recovery';
import { TenantProvisioner } from './tenants/provisioning/tenant-provisioner';
import { TenantSparesJobs } from './tenants/spares/tenant-spares.jobs';
import { GetTenantHandler } from './tenants/queries/get-tenant/get-tenant.handler';
import { ListTenantsHandler } from './tenants/queries/list-tenants/list-tenants.handler';
import { TenantsController } from './tenants/tenants.controller';

/** The platform admin API: tenants and platform API keys. */
@Module({
  imports: [CqrsModule],
  controllers: [TenantsController, ApiKeysController],
  providers: [
    BootstrapAdminKey,
    CreateApiKeyHandler,
    RevokeApiKeyHandler,
    ListApiKeysHandler,
    OnboardTenantHandler,
    UpdateTenantHandler,
    ChangeTenantStatusHandler,
    OffboardTenantHandler,
    ReissueInvitationHandler,
    ListTenantsHandler,
    GetTenantHandler,
    TenantProvisioner,
    ProvisioningRecovery,
    PurgeScheduler,
    PurgeTenantProcessor,
    TenantSparesJobs,
  ],
  exports: [TenantProvisioner, ProvisioningRecovery],
})
export class PlatformAdminModule {}
