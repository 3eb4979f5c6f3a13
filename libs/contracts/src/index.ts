export * from './cloud-event';
export * from './event-types';
export * from './event-versions';
export * from './identity-rpc';
export * from './event-schemas';
export * from './subjects';
