import { Module } from '@nestjs/common';
import { FederationModule } from '../../../federation.module';
import { MetadataRefreshProcessor } from './metadata-refresh.processor';
import { MetadataRefreshScheduler } from './metadata-refresh-scheduler';
import { MetadataRefreshSweep } from './metadata-refresh-sweep';

/**
 * The scheduled IdP metadata refresh (BullMQ `federation` queue): the scheduler, the sweep and the
 * per-tenant job. Only apps/federation imports it, so exactly one worker of the queue runs per
 * process (the auth app also loads FederationModule, for its login page, but runs no such worker).
 */
@Module({
  imports: [FederationModule],
  providers: [MetadataRefreshScheduler, MetadataRefreshSweep, MetadataRefreshProcessor],
})
export class MetadataRefreshJobsModule {}
