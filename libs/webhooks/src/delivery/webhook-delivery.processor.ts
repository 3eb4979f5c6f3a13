import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { JobRegistry, JOBS, OnJob, QUEUES, WebhookDeliverJob } from '@credence/queues';
import { DeliverAttempt, AttemptOutcome } from './deliver-attempt';
import { scheduleBackoff } from './webhook-queue';

/** Jobs one process works at once. Reads and writes of concurrent jobs are batched, and a slow endpoint holds at most PER_ENDPOINT of them. */
export const WEBHOOK_WORKER_CONCURRENCY = 200;

export class DeliveryFailed extends Error {}

/**
 * The webhooks queue's worker, for both scopes (`tenantId` of the job is the owner: a tenant's id or
 * `platform`). A failed attempt throws, so BullMQ schedules the next on the job's schedule (a
 * delayed job: it survives restarts); the last failed attempt marks the delivery dead instead. A
 * delivery that must wait is moved back to delayed without spending an attempt.
 */
@Processor(QUEUES.webhooks, { concurrency: WEBHOOK_WORKER_CONCURRENCY, settings: { backoffStrategy: scheduleBackoff } })
export class WebhookDeliveryProcessor extends WorkerHost {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);

  constructor(
    private readonly jobs: JobRegistry,
    private readonly deliver: DeliverAttempt,
  ) {
    super();
  }

  process(job: Job, token?: string): Promise<unknown> {
    return this.jobs.dispatch(QUEUES.webhooks, job, token);
  }

  @OnJob(QUEUES.webhooks, JOBS.webhookDeliver)
  async deliverOne(job: Job<WebhookDeliverJob>, token?: string): Promise<AttemptOutcome> {
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await this.deliver.run(job.data.tenantId, job.data.deliveryId, last);
    if (typeof outcome === 'object') {
      await job.moveToDelayed(Date.now() + outcome.wait, token);
      throw new DelayedError();
    }
    if (outcome === 'retry') {
      this.logger.debug({ delivery_id: job.data.deliveryId, attempt: job.attemptsMade + 1 }, 'webhook delivery failed; retrying');
      throw new DeliveryFailed(`delivery ${job.data.deliveryId} failed`);
    }
    return outcome;
  }
}
