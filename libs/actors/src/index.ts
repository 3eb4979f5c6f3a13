export * from './actor-ref';
export * from './actor-system';
export * from './actors.module';
export * from './mailbox';
