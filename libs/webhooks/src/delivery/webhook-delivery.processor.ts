import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { RequestContext } from '@credence/context';
import { JobRegistry, JOBS, OnJob, QUEUES, WebhookDeliverJob } from '@credence/queues';
import { TenantRegistry } from '@credence/tenancy';
import { DeliverAttempt, AttemptOutcome } from './deliver-attempt';
import { WEBHOOK_ACTOR } from './fan-out';
import { scheduleBackoff } from './webhook-queue';

/** How long a delivery waits when its endpoint is busy or an earlier event of its aggregate is still open. */
const WAIT_MS = 500;

export class DeliveryFailed extends Error {}

/**
 * The webhooks queue's worker. A failed attempt throws, so BullMQ schedules the next on the job's
 * schedule (a delayed job: it survives restarts); the last failed attempt marks the delivery dead
 * instead. A delivery that must wait is moved back to delayed without spending an attempt.
 */
@Processor(QUEUES.webhooks, { concurrency: 50, settings: { backoffStrategy: scheduleBackoff } })
export class WebhookDeliveryProcessor extends WorkerHost {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);

  constructor(
    private readonly jobs: JobRegistry,
    private readonly deliver: DeliverAttempt,
    private readonly context: RequestContext,
    private readonly registry: TenantRegistry,
  ) {
    super();
  }

  process(job: Job, token?: string): Promise<unknown> {
    return this.jobs.dispatch(QUEUES.webhooks, job, token);
  }

  @OnJob(QUEUES.webhooks, JOBS.webhookDeliver)
  async deliverOne(job: Job<WebhookDeliverJob>, token?: string): Promise<AttemptOutcome> {
    const tenant = await this.registry.byId(job.data.tenantId);
    if (!tenant) return 'skipped';
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await this.context.runWith({ tenant, principal: WEBHOOK_ACTOR }, () => this.deliver.run(tenant.id, job.data.deliveryId, last));
    if (outcome === 'wait') {
      await job.moveToDelayed(Date.now() + WAIT_MS, token);
      throw new DelayedError();
    }
    if (outcome === 'retry') {
      this.logger.debug({ delivery_id: job.data.deliveryId, attempt: job.attemptsMade + 1 }, 'webhook delivery failed; retrying');
      throw new DeliveryFailed(`delivery ${job.data.deliveryId} failed`);
    }
    return outcome;
  }
}
