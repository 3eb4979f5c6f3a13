/** The example reads its few settings here, with the same defaults as Credence's `npm start`. */
export const settings = {
  redisUrl: process.env.REDIS_URL ?? 'redis://localhost:6379',
  prefix: process.env.REDIS_PREFIX ?? 'credence',
  credenceUrl: process.env.CREDENCE_BASE_URL ?? 'http://localhost:3000',
  group: process.env.CONSUMER_GROUP ?? 'example-consumer',
  partitions: Number(process.env.EVENTS_PARTITIONS ?? 16),
};
