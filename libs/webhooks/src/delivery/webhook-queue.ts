import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { JOBS, QUEUES, WebhookDeliverJob, WebhookFirstAttemptsJob } from '@credence/queues';

/** A delivery that goes on as a job of its own: after `delay` ms, with `schedule` for its later retries. */
export interface LaterDelivery {
  deliveryId: string;
  delay: number;
  schedule: number[];
}

const KEEP = { removeOnComplete: 1000, removeOnFail: 1000 };

/**
 * Queues deliveries on BullMQ. A fan-out batch's deliveries in one scope start as one job (their first
 * attempts, made together); each that fails or must wait goes on as a job of its own, whose id is the
 * delivery id (plus a suffix for a redelivery), so a fan-out repeated after a crash queues nothing
 * twice. Retries are the job's own attempts, on the schedule it carries, so they survive restarts.
 */
@Injectable()
export class WebhookQueue {
  constructor(
    @InjectQueue(QUEUES.webhooks) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One job for the first attempts of a batch of deliveries. Its id is a digest of their ids, which a
   * fan-out repeated after a crash gets again (rows are unique per webhook and event), so the same
   * batch adds nothing; a batch made up differently may attempt a delivery twice (at least once).
   */
  async enqueueFirst(owner: string, deliveryIds: readonly string[]): Promise<void> {
    if (!deliveryIds.length) return;
    const digest = createHash('sha256').update(deliveryIds.join(',')).digest('base64url').slice(0, 32);
    await this.queue.add(
      JOBS.webhookFirstAttempts,
      { tenantId: owner, deliveryIds: [...deliveryIds], schedule: this.config.WEBHOOK_RETRY_SCHEDULE } satisfies WebhookFirstAttemptsJob,
      {
        jobId: `first-${owner}-${digest}`,
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        ...KEEP,
      },
    );
  }

  /** Deliveries each on its own job, from their first attempt, with the whole schedule. */
  async enqueue(owner: string, deliveryIds: readonly string[], suffix = ''): Promise<void> {
    const schedule = this.config.WEBHOOK_RETRY_SCHEDULE;
    await this.later(
      owner,
      deliveryIds.map((deliveryId) => ({ deliveryId, delay: 0, schedule })),
      suffix,
    );
  }

  /**
   * Delayed delivery jobs run now: they were parked for an endpoint that has answered again. A job
   * that is not delayed yet (still running, or not added yet: a batch adds its parked deliveries when
   * all its attempts are done) is tried once more a second later.
   */
  async wake(jobIds: readonly string[], again = true): Promise<void> {
    const late: string[] = [];
    await Promise.all(
      jobIds.map(async (id) => {
        const job = await this.queue.getJob(id);
        const state = job ? await job.getState() : 'missing';
        if (state === 'delayed') await job!.promote().catch(() => undefined);
        else if ((state === 'active' || state === 'missing') && again) late.push(id);
      }),
    );
    if (late.length) setTimeout(() => void this.wake(late, false).catch(() => undefined), WAKE_AGAIN_MS).unref();
  }

  /** Deliveries that go on as jobs of their own; `schedule.length` retries are left after the job's first attempt. */
  async later(owner: string, deliveries: readonly LaterDelivery[], suffix = ''): Promise<void> {
    if (!deliveries.length) return;
    await this.queue.addBulk(
      deliveries.map(({ deliveryId, delay, schedule }) => ({
        name: JOBS.webhookDeliver,
        data: { tenantId: owner, deliveryId, schedule } satisfies WebhookDeliverJob,
        opts: { jobId: `${deliveryId}${suffix}`, attempts: schedule.length + 1, backoff: { type: 'webhook-schedule' }, ...(delay > 0 ? { delay } : {}), ...KEEP },
      })),
    );
  }
}

/** How long after a failed wake-up (the job was not delayed yet) it is tried once more. */
const WAKE_AGAIN_MS = 1_000;

/** ±10 % jitter, so retries of many deliveries spread out. */
export const jitter = (ms: number) => Math.round(ms * (0.9 + Math.random() * 0.2));

/** BullMQ's custom backoff: the job's schedule, with jitter. */
export function scheduleBackoff(attemptsMade: number, _type?: string, _err?: Error, job?: { data?: Partial<WebhookDeliverJob> }): number {
  const schedule = job?.data?.schedule?.length ? job.data.schedule : [5_000];
  return jitter(schedule[Math.min(Math.max(attemptsMade - 1, 0), schedule.length - 1)]);
}
