import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Queue } from 'bullmq';
import { HealthService } from '@credence/observability';
import { QUEUES } from './queues';

/** Adds a `queues` check to /health: every declared queue must answer through its own Redis connection. */
@Injectable()
export class QueuesHealth implements OnModuleInit {
  private readonly logger = new Logger('Queues');
  private lastWarning = 0;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly health: HealthService,
  ) {}

  onModuleInit(): void {
    const queues = Object.values(QUEUES).map((name) => this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    // Connection errors are reported by /health; log them at most every 30 s instead of flooding stderr.
    for (const q of queues) q.on('error', (err: Error) => this.warn(q.name, err));
    this.health.register('queues', async () => {
      await Promise.all(queues.map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'failed')));
    });
  }

  private warn(queue: string, err: Error): void {
    if (Date.now() - this.lastWarning < 30_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(`queue ${queue}: ${err.message}`);
  }
}
