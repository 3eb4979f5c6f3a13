import { BullRegistrar } from '@nestjs/bullmq';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Job } from 'bullmq';
import { QUEUE_JOBS } from '../queues';
import { FoundHandler, jobHandlerProblems } from './job-handler-check';
import { JobHandler, ON_JOB, OnJobMetadata } from './on-job.decorator';

/** The declared queues and their jobs; a token so that the boot check can be tested on its own. */
export const JOB_DECLARATIONS = Symbol('JOB_DECLARATIONS');
export const DEFAULT_JOB_DECLARATIONS = { provide: JOB_DECLARATIONS, useValue: QUEUE_JOBS };

/** @nestjs/bullmq's key for `@Processor()` (bull.constants PROCESSOR_METADATA, not exported by the package). */
const PROCESSOR_METADATA = 'bullmq:processor_metadata';

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

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registrar: BullRegistrar,
    @Inject(JOB_DECLARATIONS) private readonly declared: Record<string, readonly string[]>,
  ) {}

  onModuleInit(): void {
    const found: (FoundHandler & { handler: JobHandler })[] = [];
    const workerQueues: string[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      // Plain values (useValue, a null prototype) have no class to carry decorators.
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype || typeof instance.constructor !== 'function') continue;
      const processor = this.reflector.get<{ name?: string } | undefined>(PROCESSOR_METADATA, instance.constructor);
      if (processor?.name) workerQueues.push(processor.name);
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
    this.registrar.register();
  }

  /** Runs the job's one handler. A name no handler is registered for fails the job (never silently). */
  async dispatch(queue: string, job: Job, token?: string): Promise<unknown> {
    const handler = this.handlers.get(key(queue, job.name));
    if (!handler) throw new Error(`no handler for job ${job.name} on queue ${queue}`);
    return handler(job, token);
  }
}

const key = (queue: string, job: string) => `${queue}\u0000${job}`;
