export { freePort, startRedis } from './redis.ts';
export type { RedisOptions, RedisServer } from './redis.ts';
