export * from './app-config';
export * from './config.schema';
export * from './config.module';
export * from './environment';
export * from './load-config';
export * from './events.schema';
export * from './audit.schema';
export * from './webhooks.schema';
