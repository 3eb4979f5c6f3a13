import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { DEFAULT_JOB_DECLARATIONS, JobRegistry } from './jobs/job-registry';
import { QUEUES } from './queues';
import { QueuesHealth } from './queues-health';
import { QueuesShutdown } from './queues-shutdown';

const queues = Object.values(QUEUES).map((name) => BullModule.registerQueue({ name }));

/**
 * Workers start only when JobRegistry has checked the handlers. forRootAsync drops `extraOptions`
 * in @nestjs/bullmq 11.0, so the option goes in as the provider BullRegistrar reads
 * (BULL_EXTRA_OPTIONS_TOKEN, which the package does not export).
 */
const MANUAL_WORKER_REGISTRATION = { provide: 'BULLMQ_EXTRA_OPTIONS', useValue: { manualRegistration: true } };

@Global()
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      extraProviders: [MANUAL_WORKER_REGISTRATION],
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => {
        const url = new URL(c.REDIS_URL);
        return {
          prefix: `${c.REDIS_PREFIX}:bull`,
          connection: {
            host: url.hostname,
            port: Number(url.port || 6379),
            username: url.username || undefined,
            password: url.password ? decodeURIComponent(url.password) : undefined,
            db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
            maxRetriesPerRequest: null,
          },
          defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000, attempts: 5, backoff: { type: 'exponential', delay: 5000 } },
        };
      },
    }),
    ...queues,
  ],
  providers: [QueuesHealth, QueuesShutdown, JobRegistry, DEFAULT_JOB_DECLARATIONS],
  exports: [...queues, JobRegistry],
})
export class QueuesModule {}
