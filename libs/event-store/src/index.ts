export * from './event-store.module';
export * from './retention/purge-expired-events';
export * from './erasure/erase-user-events';
export * from './retention/event-store-retention.rule';
