export * from './sync.module';
export * from './batch/sync-user-record';
export { CHUNK_SIZE, ProcessSyncRun } from './runs/process-run/process-sync-run';
export { MAX_BATCH_USERS, SYNC_BATCH_BODY_LIMIT_BYTES } from './runs/submit-batch/submit-batch';
