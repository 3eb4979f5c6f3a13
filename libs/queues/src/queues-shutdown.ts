import { getQueueToken } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { redisAnswers } from '@credence/redis';
import { JobRegistry } from './jobs/job-registry';
import { QUEUES } from './queues';

/**
 * Closing a BullMQ queue or worker sends QUIT and waits for the answer, which a Redis that is down
 * or stalled never gives: shutdown would hang for as long as the outage lasts. Before the shutdown
 * hooks close them, Redis is asked for a PING; without an answer within half a second, workers are closed
 * by force and queues' sockets dropped. Jobs in hand are not lost: their locks lapse and BullMQ hands
 * them out again (a stalled job), as after a crash.
 */
@Injectable()
export class QueuesShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Queues');

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly registry: JobRegistry,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'REDIS_URL'>,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    if (await redisAnswers(this.config.REDIS_URL, 500)) return;
    this.logger.warn('Redis does not answer: dropping the queues’ connections instead of closing them');
    const queues = Object.values(QUEUES).map((name) => this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    // A forced close does not wait for jobs in hand or a QUIT; later close() calls get this same one.
    const workers = this.registry.workers().map((w) => w.close(true));
    // A queue still connected to a stalled server would write QUIT and wait: drop its socket. One whose
    // server is gone has no socket, and ioredis answers its QUIT at once (a disconnect would park it).
    const sockets = queues.map(async (q) => {
      const client = (await q.backend.client) as unknown as Redis;
      if (client.status !== 'ready') return;
      client.disconnect();
      client.stream?.destroy(); // disconnect() alone half-closes and waits for a FIN the stalled peer never sends
    });
    await Promise.allSettled([...workers, ...sockets]);
  }
}
