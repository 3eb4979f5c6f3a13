import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { Metrics } from '@credence/observability';
import { QUEUES } from '@credence/queues';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
const SCRAPE_TIMEOUT_MS = 1_000;

/**
 * credence_queue_jobs{queue, state}: jobs of every declared queue by state, read from Redis at
 * scrape time. A queue that does not answer within a second is left out of that scrape (/health
 * reports it) rather than stalling /metrics.
 */
@Injectable()
export class QueueDepthMetrics implements OnModuleInit {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    const queues = Object.values(QUEUES).map((name) => this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    new Gauge({
      name: 'credence_queue_jobs',
      help: 'BullMQ jobs per queue and state (waiting, active, delayed, failed)',
      labelNames: ['queue', 'state'],
      registers: [this.metrics.registry],
      // Every worker of a cluster reads the same queues: the cluster's figure is one reading, not their sum.
      aggregator: 'max',
      async collect() {
        this.reset();
        await Promise.all(
          queues.map(async (q) => {
            let timer: NodeJS.Timeout | undefined;
            const counts = await Promise.race([
              q.getJobCounts(...STATES),
              new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), SCRAPE_TIMEOUT_MS))),
            ]).catch(() => undefined);
            clearTimeout(timer);
            if (!counts) return;
            for (const state of STATES) this.set({ queue: q.name, state }, counts[state] ?? 0);
          }),
        );
      },
    });
  }
}
