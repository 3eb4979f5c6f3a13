import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
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
import { WebhookUnits } from './scope/webhook-units';
import { CreateWebhook } from './subscriptions/create-webhook/create-webhook';
import { DeleteWebhook } from './subscriptions/delete-webhook/delete-webhook';
import { ReadWebhooks } from './subscriptions/list-webhooks/list-webhooks';
import { PlatformWebhooksController } from './subscriptions/platform-webhooks.controller';
import { RotateWebhookSecret } from './subscriptions/rotate-secret/rotate-secret';
import { UpdateWebhook } from './subscriptions/update-webhook/update-webhook';
import { WebhookCache, WebhookChanges } from './subscriptions/webhook-cache';
import { WebhookUseCases } from './subscriptions/webhook-routes';
import { WebhooksController } from './subscriptions/webhooks.controller';

/**
 * Outbound webhooks (Standard Webhooks): the subscriptions API of tenants (/v1/t/{tenant}/webhooks)
 * and of the platform (/v1/admin/webhooks), the fan-out consumer of the event transport, and the
 * `webhooks` queue's delivery worker, one implementation for both scopes (WebhookUnits). Only
 * apps/sync imports it, so one worker of the queue runs per process.
 */
@Module({
  imports: [CqrsModule, EventsConfigModule],
  controllers: [WebhooksController, PlatformWebhooksController],
  providers: [
    WebhookUnits,
    WebhookCache,
    WebhookChanges,
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
    WebhookUseCases,
  ],
})
export class WebhooksModule {}
