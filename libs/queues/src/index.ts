export * from './queues';
export * from './queues.module';
export * from './jobs/job-registry';
export * from './jobs/on-job.decorator';
