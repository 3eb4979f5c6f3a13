import { Module } from '@nestjs/common';
import { LdapSyncSourceModule } from '@credence/federation';
import { IdentityCoreModule } from '@credence/identity';
import { LdapSyncController } from './ldap-sync/ldap-sync.controller';
import { LdapSyncJobs } from './ldap-sync/ldap-sync.jobs';
import { RunLdapSync } from './ldap-sync/run-ldap-sync/run-ldap-sync';
import { LdapSyncSettings } from './ldap-sync/schedule/ldap-sync-settings';
import { LdapSyncSweep } from './ldap-sync/schedule/ldap-sync-sweep';
import { StartLdapSync } from './ldap-sync/start-ldap-sync/start-ldap-sync';
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
  imports: [IdentityCoreModule, LdapSyncSourceModule],
  controllers: [SyncController, SyncAdminController, LdapSyncController],
  providers: [SubmitBatch, GetRun, ListRuns, PutSource, ListSources, ListConflicts, ResolveConflict, ProcessSyncRun, StartLdapSync, LdapSyncSettings, RunLdapSync],
  exports: [ProcessSyncRun, RunLdapSync, StartLdapSync],
})
export class SyncModule {}

/** The `sync` queue's worker; a process that runs it must have this module (JobRegistry checks). */
@Module({ imports: [SyncModule], providers: [SyncRunProcessor, LdapSyncSweep, LdapSyncJobs] })
export class SyncJobsModule {}
