import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@credence/config';
import { JOBS, QUEUES } from '@credence/queues';
import { bounded, METADATA_SCHEDULER_ID } from './metadata-refresh-jobs';

/**
 * The metadata refresh schedule: one BullMQ job scheduler (one sweep every
 * FEDERATION_METADATA_REFRESH_SECONDS across all federation processes), upserted at boot, or removed
 * at boot when the setting is 0.
 */
@Injectable()
export class MetadataRefreshScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(MetadataRefreshScheduler.name);

  constructor(
    @InjectQueue(QUEUES.federation) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const seconds = this.config.FEDERATION_METADATA_REFRESH_SECONDS;
    try {
      if (seconds > 0) {
        await bounded(this.queue.upsertJobScheduler(METADATA_SCHEDULER_ID, { every: seconds * 1000 }, { name: JOBS.federationMetadataSweep, data: {} }), 5_000);
      } else if (await bounded(this.queue.removeJobScheduler(METADATA_SCHEDULER_ID), 5_000)) {
        this.logger.log('FEDERATION_METADATA_REFRESH_SECONDS is 0: the metadata refresh schedule was removed');
      }
    } catch (err) {
      // Boot goes on; the next process start sets the schedule.
      this.logger.warn({ err: (err as Error).message }, 'metadata refresh schedule not updated');
    }
  }
}
