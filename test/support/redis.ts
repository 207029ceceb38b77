// The cross-app tests' Redis: a real redis-server, from the shared test helpers.
export { freePort, startRedis } from '@switchyard/testing';
export type { RedisServer } from '@switchyard/testing';
