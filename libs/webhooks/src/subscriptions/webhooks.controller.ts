import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticate, CurrentUser, PermissionGuard, RequirePermission, UserPrincipal } from '@credence/access';
import { DomainError } from '@credence/errors';
import { ApiErrors, decodeCursor, PageQueryDto } from '@credence/http';
import { BulkRedeliverDto, DeliveriesQueryDto } from '../delivery/dto/deliveries.dto';
import { ListDeliveries } from '../delivery/list-deliveries';
import { Redeliver } from '../delivery/redeliver';
import { SendTestEvent } from '../delivery/send-test';
import { CreateWebhook } from './create-webhook/create-webhook';
import { DeleteWebhook } from './delete-webhook/delete-webhook';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { ReadWebhooks } from './list-webhooks/list-webhooks';
import { RotateWebhookSecret } from './rotate-secret/rotate-secret';
import { UpdateWebhook } from './update-webhook/update-webhook';

const webhookId = new ParseUUIDPipe({ exceptionFactory: () => new DomainError('webhook.not_found') });
const deliveryId = new ParseUUIDPipe({ exceptionFactory: () => new DomainError('webhook.delivery_not_found') });

/** The tenant's webhook subscriptions and their deliveries; every route needs webhook.manage:any. */
@ApiTags('webhooks')
@ApiBearerAuth('bearer')
@ApiParam({ name: 'tenant', description: 'Tenant slug' })
@Controller('v1/t/:tenant/webhooks')
@Authenticate('user')
@UseGuards(PermissionGuard)
@RequirePermission('webhook', 'manage')
@ApiErrors(400, 401, 403, 404, 409, 413, 415, 503)
export class WebhooksController {
  constructor(
    private readonly creating: CreateWebhook,
    private readonly reading: ReadWebhooks,
    private readonly updating: UpdateWebhook,
    private readonly deleting: DeleteWebhook,
    private readonly rotating: RotateWebhookSecret,
    private readonly testing: SendTestEvent,
    private readonly deliveries: ListDeliveries,
    private readonly redeliver: Redeliver,
  ) {}

  @Post()
  @ApiCreatedResponse({ description: 'The subscription with its signing `secret` (whsec_...), shown this once.' })
  create(@Body() dto: CreateWebhookDto, @CurrentUser() me: UserPrincipal) {
    return this.creating.execute(me.tenantId, dto);
  }

  @Get()
  @ApiOkResponse({ description: '{"data": [Webhook], "meta": {"next_cursor": ...}}, oldest first; never a secret.' })
  list(@Query() page: PageQueryDto, @CurrentUser() me: UserPrincipal) {
    return this.reading.list(me.tenantId, page.limit, decodeCursor(page.cursor));
  }

  @Get(':id')
  get(@Param('id', webhookId) id: string, @CurrentUser() me: UserPrincipal) {
    return this.reading.get(me.tenantId, id);
  }

  @Patch(':id')
  update(@Param('id', webhookId) id: string, @Body() dto: UpdateWebhookDto, @CurrentUser() me: UserPrincipal) {
    return this.updating.execute(me.tenantId, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted with its delivery history; queued retries stop.' })
  async remove(@Param('id', webhookId) id: string, @CurrentUser() me: UserPrincipal): Promise<void> {
    await this.deleting.execute(me.tenantId, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The new `secret`, shown this once. The previous one signs beside it for 24 hours (two signatures).' })
  rotate(@Param('id', webhookId) id: string, @CurrentUser() me: UserPrincipal) {
    return this.rotating.execute(me.tenantId, id);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: '{"delivery_id", "event_id"}: a webhook.test event is queued to this endpoint.' })
  test(@Param('id', webhookId) id: string, @CurrentUser() me: UserPrincipal) {
    return this.testing.execute(me.tenantId, id);
  }

  @Get(':id/deliveries')
  @ApiOkResponse({ description: '{"data": [{id, event_id, event_type, status, attempts: [...]}], "meta"}, newest first.' })
  listDeliveries(@Param('id', webhookId) id: string, @Query() q: DeliveriesQueryDto, @CurrentUser() me: UserPrincipal) {
    return this.deliveries.execute(me.tenantId, id, q.limit, decodeCursor(q.cursor), q.status);
  }

  @Post(':id/deliveries/:delivery/redeliver')
  @HttpCode(202)
  redeliverOne(@Param('id', webhookId) id: string, @Param('delivery', deliveryId) delivery: string, @CurrentUser() me: UserPrincipal) {
    return this.redeliver.one(me.tenantId, id, delivery);
  }

  @Post(':id/deliveries/redeliver-failed')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: '{"queued": n}: failed and dead deliveries since `since`, at most 1000 per call.' })
  redeliverFailed(@Param('id', webhookId) id: string, @Body() dto: BulkRedeliverDto, @CurrentUser() me: UserPrincipal) {
    return this.redeliver.failedSince(me.tenantId, id, new Date(dto.since));
  }
}
