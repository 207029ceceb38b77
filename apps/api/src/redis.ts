import { Redis, type RedisOptions } from 'ioredis';

/** ioredis options from a redis://, rediss:// or unix:// URL. */
export function redisOptions(url: string): RedisOptions & { path?: string } {
  if (url.startsWith('unix://')) {
    const u = new URL(url);
    const db = u.searchParams.get('db');
    return { path: decodeURIComponent(u.pathname), ...(db ? { db: Number(db) } : {}) };
  }
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * The connection BullMQ leases and schedules with: it waits out Redis restarts
 * (maxRetriesPerRequest null), as BullMQ requires of worker connections.
 */
export function createRedis(url: string): Redis {
  return new Redis({ ...redisOptions(url), maxRetriesPerRequest: null, lazyConnect: false });
}
