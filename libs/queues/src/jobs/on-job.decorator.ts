import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';

export const ON_JOB = Symbol('credence:on-job');

export interface OnJobMetadata {
  queue: string;
  job: string;
}

/** A job handler: the job, and the worker's lock token (for moveToDelayed and the like). */
export type JobHandler = (job: Job, token?: string) => Promise<unknown>;

/**
 * Marks a provider method as the handler of one job of one queue. The JobRegistry finds it at
 * boot; the queue's processor dispatches to it by job name.
 */
export const OnJob = (queue: string, job: string): MethodDecorator => SetMetadata(ON_JOB, { queue, job } satisfies OnJobMetadata);
