export * from './redis.module';
export * from './delete-prefix';
export * from './mget-batcher';
export { TenantVersionedCache } from './tenant-versioned-cache';
export { redisScript, type RedisScript } from './redis-script';
