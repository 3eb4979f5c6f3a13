import { Module } from '@nestjs/common';
import { IdentityCoreModule } from '@credence/identity';
import { ListConflicts } from './conflicts/list-conflicts/list-conflicts';
import { ResolveConflict } from './conflicts/resolve-conflict/resolve-conflict';
import { GetRun } from './runs/get-run/get-run';
import { ListRuns } from './runs/list-runs/list-runs';
import { ProcessSyncRun } from './runs/process-run/process-sync-run';
import { SyncRunProcessor } from './runs/process-run/sync-run.processor';
import { SubmitBatch } from './runs/submit-batch/submit-batch';
import { ListSources } from './sources/list-sources/list-sources';
import { PutSource } from './sources/put-source/put-source';
import { SyncAdminController } from './sync-admin.controller';
import { SyncController } from './sync.controller';

/** The sync API (docs/sync.md): batches in, runs, sources and conflicts. Served by apps/sync. */
@Module({
  imports: [IdentityCoreModule],
  controllers: [SyncController, SyncAdminController],
  providers: [SubmitBatch, GetRun, ListRuns, PutSource, ListSources, ListConflicts, ResolveConflict, ProcessSyncRun],
  exports: [ProcessSyncRun],
})
export class SyncModule {}

/** The `sync` queue's worker; a process that runs it must have this module (JobRegistry checks). */
@Module({ imports: [SyncModule], providers: [SyncRunProcessor] })
export class SyncJobsModule {}
