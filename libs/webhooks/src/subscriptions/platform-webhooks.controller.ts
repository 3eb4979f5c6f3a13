import { Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminScopes, Authenticate } from '@credence/access';
import { ApiErrors } from '@credence/http';
import { PLATFORM_OWNER, WebhookOwner } from '../scope/webhook-units';
import { WebhookRoutes, WebhookUseCases } from './webhook-routes';

/**
 * The platform's webhook subscriptions (platform events: tenant.*, platform.api_key.*, ...), for
 * platform API keys with the webhooks:manage scope; stored in the platform schema.
 */
@ApiTags('platform admin: webhooks')
@ApiBearerAuth('bearer')
@Controller('v1/admin/webhooks')
@Authenticate('platform_admin')
@AdminScopes('webhooks:manage')
@ApiErrors(400, 401, 403, 404, 409, 413, 415, 503)
export class PlatformWebhooksController extends WebhookRoutes {
  constructor(uc: WebhookUseCases) {
    super(uc);
  }

  protected owner(): WebhookOwner {
    return PLATFORM_OWNER;
  }

  /** Platform admins read the platform trail unmasked. */
  protected assertMayReceivePersonal(): Promise<void> {
    return Promise.resolve();
  }
}
