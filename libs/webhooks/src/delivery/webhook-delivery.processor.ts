import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { JobRegistry, JOBS, OnJob, QUEUES, WebhookDeliverJob, WebhookFirstAttemptsJob } from '@credence/queues';
import { DeliverAttempt, AttemptOutcome } from './deliver-attempt';
import { jitter, LaterDelivery, scheduleBackoff, WebhookQueue } from './webhook-queue';

/** Jobs one process works at once. Reads and writes of concurrent jobs are batched, and a slow endpoint holds at most PER_ENDPOINT of them, a silent one a single one. */
export const WEBHOOK_WORKER_CONCURRENCY = 100;

/** How long a delivery whose first attempt broke (not failed: e.g. the database was away) waits for its own job. */
const BROKEN_WAIT_MS = 1000;

export class DeliveryFailed extends Error {}

/**
 * The webhooks queue's worker, for both scopes (`tenantId` of a job is the owner: a tenant's id or
 * `platform`). An event's deliveries start together (firstAttempts); each that failed goes on as a
 * delivery job of its own, delayed by the first wait of its schedule, and each that must wait (its
 * endpoint busy, an earlier event of its aggregate open) as one delayed that long. A delivery job's
 * failed attempt throws, so BullMQ schedules the next on the job's schedule (a delayed job: it
 * survives restarts); the last failed attempt marks the delivery dead instead. A delivery that must
 * wait is moved back to delayed without spending an attempt.
 */
@Processor(QUEUES.webhooks, { concurrency: WEBHOOK_WORKER_CONCURRENCY, settings: { backoffStrategy: scheduleBackoff } })
export class WebhookDeliveryProcessor extends WorkerHost {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);

  constructor(
    private readonly jobs: JobRegistry,
    private readonly deliver: DeliverAttempt,
    private readonly queue: WebhookQueue,
  ) {
    super();
  }

  process(job: Job, token?: string): Promise<unknown> {
    return this.jobs.dispatch(QUEUES.webhooks, job, token);
  }

  /**
   * Completes once every delivery is sent or handed to a job of its own, so a crash before then runs
   * the job again (deliveries already delivered are skipped): at least once, same webhook-id.
   */
  @OnJob(QUEUES.webhooks, JOBS.webhookFirstAttempts)
  async firstAttempts(job: Job<WebhookFirstAttemptsJob>): Promise<number> {
    const { tenantId: owner, deliveryIds, schedule } = job.data;
    const later: LaterDelivery[] = [];
    await Promise.all(
      deliveryIds.map(async (deliveryId) => {
        const outcome = await this.deliver.run(owner, deliveryId, schedule.length === 0).catch((err: Error) => {
          this.logger.warn({ delivery_id: deliveryId, err: err.message }, 'webhook first attempt broke; queued on its own');
          return { wait: BROKEN_WAIT_MS };
        });
        if (typeof outcome === 'object') later.push({ deliveryId, delay: outcome.wait, schedule });
        else if (outcome === 'retry') later.push({ deliveryId, delay: jitter(schedule[0]), schedule: schedule.slice(1) });
      }),
    );
    await this.queue.later(owner, later);
    return deliveryIds.length - later.length;
  }

  @OnJob(QUEUES.webhooks, JOBS.webhookDeliver)
  async deliverOne(job: Job<WebhookDeliverJob>, token?: string): Promise<AttemptOutcome> {
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await this.deliver.run(job.data.tenantId, job.data.deliveryId, last, job.id);
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
