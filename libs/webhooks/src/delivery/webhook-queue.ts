import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { JOBS, QUEUES, WebhookDeliverJob } from '@credence/queues';

/**
 * Queues deliveries on BullMQ. The job id is the delivery id (plus a suffix for a redelivery), so a
 * fan-out repeated after a crash queues nothing twice. Retries are the job's own attempts, on the
 * schedule it carries, so they survive restarts.
 */
@Injectable()
export class WebhookQueue {
  constructor(
    @InjectQueue(QUEUES.webhooks) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async enqueue(tenantId: string, deliveryIds: readonly string[], suffix = ''): Promise<void> {
    if (!deliveryIds.length) return;
    const schedule = this.config.WEBHOOK_RETRY_SCHEDULE;
    await this.queue.addBulk(
      deliveryIds.map((deliveryId) => ({
        name: JOBS.webhookDeliver,
        data: { tenantId, deliveryId, schedule } satisfies WebhookDeliverJob,
        opts: {
          jobId: `${deliveryId}${suffix}`,
          attempts: schedule.length + 1,
          backoff: { type: 'webhook-schedule' },
          removeOnComplete: 1000,
          removeOnFail: 1000,
        },
      })),
    );
  }
}

/** BullMQ's custom backoff: the job's schedule, with ±10 % jitter so retries of many deliveries spread out. */
export function scheduleBackoff(attemptsMade: number, _type?: string, _err?: Error, job?: { data?: Partial<WebhookDeliverJob> }): number {
  const schedule = job?.data?.schedule ?? [5_000];
  const base = schedule[Math.min(Math.max(attemptsMade - 1, 0), schedule.length - 1)];
  return Math.round(base * (0.9 + Math.random() * 0.2));
}
