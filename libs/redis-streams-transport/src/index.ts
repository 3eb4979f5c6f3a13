export * from './dead-letters';
export * from './entry-codec';
export * from './keep-handler-errors.filter';
export * from './redis-streams.client';
export * from './redis-streams.context';
export * from './redis-streams.options';
export * from './redis-streams.server';
export * from './stream-keys';
