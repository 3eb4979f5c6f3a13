export * from './event-store.module';
export * from './retention/purge-expired-events';
