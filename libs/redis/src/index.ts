export * from './redis.module';
export * from './delete-prefix';
export * from './mget-batcher';
