import { Body, Delete, Get, HttpCode, Injectable, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import type { AuthenticatedRequest } from '@credence/access';
import { decodeCursor, PageQueryDto, uuidParam } from '@credence/http';
import { BulkRedeliverDto, DeliveriesQueryDto } from '../delivery/dto/deliveries.dto';
import { ListDeliveries } from '../delivery/list-deliveries';
import { Redeliver } from '../delivery/redeliver';
import { SendTestEvent } from '../delivery/send-test';
import type { WebhookOwner } from '../scope/webhook-units';
import { CreateWebhook } from './create-webhook/create-webhook';
import { DeleteWebhook } from './delete-webhook/delete-webhook';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { ReadWebhooks } from './list-webhooks/list-webhooks';
import { RotateWebhookSecret } from './rotate-secret/rotate-secret';
import { UpdateWebhook } from './update-webhook/update-webhook';

const webhookId = uuidParam('webhook.not_found');
const deliveryId = uuidParam('webhook.delivery_not_found');

/** The use cases a webhook route calls, one set for both scopes. */
@Injectable()
export class WebhookUseCases {
  constructor(
    readonly creating: CreateWebhook,
    readonly reading: ReadWebhooks,
    readonly updating: UpdateWebhook,
    readonly deleting: DeleteWebhook,
    readonly rotating: RotateWebhookSecret,
    readonly testing: SendTestEvent,
    readonly deliveries: ListDeliveries,
    readonly redeliver: Redeliver,
  ) {}
}

/**
 * The webhook routes, the same under /v1/t/{tenant}/webhooks and /v1/admin/webhooks: each
 * controller adds its path and authentication and says whose webhooks a request reaches (owner).
 */
export abstract class WebhookRoutes {
  constructor(protected readonly uc: WebhookUseCases) {}

  /** Whose webhooks this request reaches: the tenant of the route, or the platform. */
  protected abstract owner(): WebhookOwner;

  /**
   * Throws unless the caller may have personal fields (fields.include) sent to an endpoint of their
   * choosing: they would read them there, so it takes what reading them in the audit trail takes.
   */
  protected abstract assertMayReceivePersonal(req: AuthenticatedRequest): Promise<void>;

  @Post()
  @ApiCreatedResponse({ description: 'The subscription with its signing `secret` (whsec_...), shown this once.' })
  async create(@Body() dto: CreateWebhookDto, @Req() req: AuthenticatedRequest) {
    if (dto.fields?.include?.length) await this.assertMayReceivePersonal(req);
    return this.uc.creating.execute(this.owner(), dto);
  }

  @Get()
  @ApiOkResponse({ description: '{"data": [Webhook], "meta": {"next_cursor": ...}}, oldest first; never a secret.' })
  list(@Query() page: PageQueryDto) {
    return this.uc.reading.list(this.owner(), page.limit, decodeCursor(page.cursor));
  }

  @Get(':id')
  get(@Param('id', webhookId) id: string) {
    return this.uc.reading.get(this.owner(), id);
  }

  @Patch(':id')
  async update(@Param('id', webhookId) id: string, @Body() dto: UpdateWebhookDto, @Req() req: AuthenticatedRequest) {
    // A new URL for a webhook that includes personal fields sends them (and redeliveries of old bodies) there.
    const personal = dto.fields?.include?.length || (dto.url !== undefined && (await this.uc.reading.get(this.owner(), id)).fields.include.length);
    if (personal) await this.assertMayReceivePersonal(req);
    return this.uc.updating.execute(this.owner(), id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted with its delivery history; queued retries stop.' })
  async remove(@Param('id', webhookId) id: string): Promise<void> {
    await this.uc.deleting.execute(this.owner(), id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The new `secret`, shown this once. The previous one signs beside it for 24 hours (two signatures).' })
  rotate(@Param('id', webhookId) id: string) {
    return this.uc.rotating.execute(this.owner(), id);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: '{"delivery_id", "event_id"}: a webhook.test event is queued to this endpoint.' })
  test(@Param('id', webhookId) id: string) {
    return this.uc.testing.execute(this.owner(), id);
  }

  @Get(':id/deliveries')
  @ApiOkResponse({ description: '{"data": [{id, event_id, event_type, status, attempts: [...]}], "meta"}, newest first.' })
  listDeliveries(@Param('id', webhookId) id: string, @Query() q: DeliveriesQueryDto) {
    return this.uc.deliveries.execute(this.owner(), id, q.limit, decodeCursor(q.cursor), q.status);
  }

  @Post(':id/deliveries/:delivery/redeliver')
  @HttpCode(202)
  redeliverOne(@Param('id', webhookId) id: string, @Param('delivery', deliveryId) delivery: string) {
    return this.uc.redeliver.one(this.owner(), id, delivery);
  }

  @Post(':id/deliveries/redeliver-failed')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: '{"queued": n}: failed and dead deliveries since `since`, at most 1000 per call.' })
  redeliverFailed(@Param('id', webhookId) id: string, @Body() dto: BulkRedeliverDto) {
    return this.uc.redeliver.failedSince(this.owner(), id, new Date(dto.since));
  }
}
