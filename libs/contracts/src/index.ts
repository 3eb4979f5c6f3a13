export * from './cloud-event';
export * from './event-types';
export * from './identity-rpc';
export * from './event-schemas';
