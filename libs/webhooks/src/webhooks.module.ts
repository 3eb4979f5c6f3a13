import { Module } from '@nestjs/common';
import { EventsConfigModule } from '@credence/event-relay';
import { DeliverAttempt } from './delivery/deliver-attempt';
import { WebhookFanOut } from './delivery/fan-out';
import { WebhookFanOutConsumer } from './delivery/fan-out.consumer';
import { ListDeliveries } from './delivery/list-deliveries';
import { Redeliver } from './delivery/redeliver';
import { SendTestEvent } from './delivery/send-test';
import { WebhookDeliveryProcessor } from './delivery/webhook-delivery.processor';
import { WebhookQueue } from './delivery/webhook-queue';
import { WebhookHttp } from './outbound/webhook-http';
import { CreateWebhook } from './subscriptions/create-webhook/create-webhook';
import { DeleteWebhook } from './subscriptions/delete-webhook/delete-webhook';
import { ReadWebhooks } from './subscriptions/list-webhooks/list-webhooks';
import { RotateWebhookSecret } from './subscriptions/rotate-secret/rotate-secret';
import { UpdateWebhook } from './subscriptions/update-webhook/update-webhook';
import { WebhooksController } from './subscriptions/webhooks.controller';

/**
 * Outbound webhooks (Standard Webhooks): the subscriptions API, the fan-out consumer of the event
 * transport, and the `webhooks` queue's delivery worker. Only apps/sync imports it, so one worker
 * of the queue runs per process.
 */
@Module({
  imports: [EventsConfigModule],
  controllers: [WebhooksController],
  providers: [
    WebhookHttp,
    WebhookQueue,
    WebhookFanOut,
    WebhookFanOutConsumer,
    DeliverAttempt,
    WebhookDeliveryProcessor,
    CreateWebhook,
    ReadWebhooks,
    UpdateWebhook,
    DeleteWebhook,
    RotateWebhookSecret,
    SendTestEvent,
    ListDeliveries,
    Redeliver,
  ],
})
export class WebhooksModule {}
