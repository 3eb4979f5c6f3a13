export * from './event-factory';
export * from './outbox-writer';
export * from './outbox.platform-entity';
export * from './erase-user-events';
