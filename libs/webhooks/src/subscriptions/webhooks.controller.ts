import { Controller, Inject, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, AuthenticatedRequest, PERMISSION_AUTHORIZER, PermissionAuthorizer, PermissionGuard, RequirePermission } from '@credence/access';
import { ApiErrors } from '@credence/http';
import { WebhookOwner, WebhookUnits } from '../scope/webhook-units';
import { WebhookRoutes, WebhookUseCases } from './webhook-routes';

/** The tenant's webhook subscriptions and their deliveries; every route needs webhook.manage:any. */
@ApiTags('webhooks')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/webhooks')
@Authenticate('user')
@UseGuards(PermissionGuard)
@RequirePermission('webhook', 'manage')
@ApiErrors(400, 401, 403, 404, 409, 413, 415, 503)
export class WebhooksController extends WebhookRoutes {
  constructor(
    uc: WebhookUseCases,
    private readonly units: WebhookUnits,
    @Inject(PERMISSION_AUTHORIZER) private readonly authz: PermissionAuthorizer,
  ) {
    super(uc);
  }

  protected async assertMayReceivePersonal(req: AuthenticatedRequest): Promise<void> {
    const caller = { user: req.principal! };
    const readPersonal = { resource: 'audit', action: 'read_personal' };
    if (!(await this.authz.decide(caller, readPersonal)).allowed) {
      await this.authz.deny(caller, readPersonal, 'no_permission', 'Sending personal fields (fields.include) to an endpoint needs audit.read_personal:any.');
    }
  }

  protected owner(): WebhookOwner {
    return this.units.ambientTenant();
  }
}
