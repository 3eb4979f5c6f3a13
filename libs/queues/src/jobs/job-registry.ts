import { BullRegistrar } from '@nestjs/bullmq';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Job, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { QUEUE_JOBS } from '../queues';
import { FoundHandler, jobHandlerProblems } from './job-handler-check';
import { JobHandler, ON_JOB, OnJobMetadata } from './on-job.decorator';

/** The declared queues and their jobs; a token so that the boot check can be tested on its own. */
export const JOB_DECLARATIONS = Symbol('JOB_DECLARATIONS');
export const DEFAULT_JOB_DECLARATIONS = { provide: JOB_DECLARATIONS, useValue: QUEUE_JOBS };

/** @nestjs/bullmq's keys for `@Processor()` and its worker options (bull.constants, not exported by the package). */
const PROCESSOR_METADATA = 'bullmq:processor_metadata';
const WORKER_METADATA = 'bullmq:worker_metadata';
/** BullMQ's own interval between checks for jobs whose worker's lock lapsed. */
const BULLMQ_STALLED_INTERVAL_MS = 30_000;

interface WorkerLockOptions {
  lockDuration?: number;
  stalledInterval?: number;
}

/**
 * A worker's lock options under JOB_LOCK_SECONDS: its lock lasts that long, and the check for lapsed
 * locks runs at least that often, so a job whose process died is taken over within about twice the
 * setting. A processor's own shorter check interval stays; at the default (30 s) nothing changes.
 */
export function workerLockOptions(declared: WorkerLockOptions, lockSeconds: number): Required<WorkerLockOptions> {
  const lockDuration = lockSeconds * 1000;
  return { lockDuration, stalledInterval: Math.min(declared.stalledInterval ?? BULLMQ_STALLED_INTERVAL_MS, lockDuration) };
}

export class JobRegistryError extends Error {
  constructor(readonly problems: string[]) {
    super(`the job handlers do not match the declared jobs:\n  - ${problems.join('\n  - ')}`);
    this.name = 'JobRegistryError';
  }
}

/**
 * Finds every `@OnJob` handler at boot and refuses to start (JobRegistryError) unless each job of
 * each queue whose worker runs in this process has exactly one. Only then does it start the
 * workers (BullMQ registration is manual, see QueuesModule), so no job is taken before the check.
 */
@Injectable()
export class JobRegistry implements OnModuleInit {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly processors: { worker?: Worker }[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registrar: BullRegistrar,
    @Inject(JOB_DECLARATIONS) private readonly declared: Record<string, readonly string[]>,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'JOB_LOCK_SECONDS'>,
  ) {}

  onModuleInit(): void {
    const found: (FoundHandler & { handler: JobHandler })[] = [];
    const workerQueues: string[] = [];
    const processorClasses: object[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      // Plain values (useValue, a null prototype) have no class to carry decorators.
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype || typeof instance.constructor !== 'function') continue;
      const processor = this.reflector.get<{ name?: string } | undefined>(PROCESSOR_METADATA, instance.constructor);
      if (processor?.name) {
        workerQueues.push(processor.name);
        processorClasses.push(instance.constructor);
        this.processors.push(instance as { worker?: Worker });
      }
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const meta = this.reflector.get<OnJobMetadata | undefined>(ON_JOB, instance[method] as () => unknown);
        if (!meta) continue;
        const handler = (instance[method] as JobHandler).bind(instance);
        found.push({ ...meta, where: `${instance.constructor.name}.${method}`, handler });
      }
    }
    const problems = jobHandlerProblems(this.declared, workerQueues, found);
    if (problems.length) throw new JobRegistryError(problems);
    for (const h of found) this.handlers.set(key(h.queue, h.job), h.handler);
    this.registerWorkers(processorClasses);
  }

  /**
   * Starts the workers with the configured lock. @nestjs/bullmq reads a worker's options only from its
   * class's `@Processor()` metadata, which every app in this process shares, so the lock options are
   * put in for the registration (synchronous) and the declared ones put back at once.
   */
  private registerWorkers(processorClasses: object[]): void {
    const declared = processorClasses.map((c) => [c, Reflect.getMetadata(WORKER_METADATA, c) as WorkerLockOptions | undefined] as const);
    for (const [c, options] of declared) {
      Reflect.defineMetadata(WORKER_METADATA, { ...options, ...workerLockOptions(options ?? {}, this.config.JOB_LOCK_SECONDS) }, c);
    }
    try {
      this.registrar.register();
    } finally {
      for (const [c, options] of declared) {
        if (options === undefined) Reflect.deleteMetadata(WORKER_METADATA, c);
        else Reflect.defineMetadata(WORKER_METADATA, options, c);
      }
    }
  }

  /** The BullMQ workers this process started (one per processor). */
  workers(): Worker[] {
    return this.processors.flatMap((p) => {
      try {
        return p.worker ? [p.worker] : [];
      } catch {
        return []; // @nestjs/bullmq throws for a processor whose worker was never started
      }
    });
  }

  /** Runs the job's one handler. A name no handler is registered for fails the job (never silently). */
  async dispatch(queue: string, job: Job, token?: string): Promise<unknown> {
    const handler = this.handlers.get(key(queue, job.name));
    if (!handler) throw new Error(`no handler for job ${job.name} on queue ${queue}`);
    return handler(job, token);
  }
}

const key = (queue: string, job: string) => `${queue}\u0000${job}`;
