export * from './event-store.module';
export * from './replay/replay-readers.guard';
export * from './retention/purge-expired-events';
export * from './retention/event-store-retention.rule';
