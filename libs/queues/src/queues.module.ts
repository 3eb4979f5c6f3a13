import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { QUEUES } from './queues';
import { QueuesHealth } from './queues-health';

const queues = Object.values(QUEUES).map((name) => BullModule.registerQueue({ name }));

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
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
  providers: [QueuesHealth],
  exports: queues,
})
export class QueuesModule {}
