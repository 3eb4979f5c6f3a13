export * from './redis.module';
export * from './delete-prefix';
