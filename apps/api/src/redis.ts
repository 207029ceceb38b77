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

/** How long a request waits on Redis before it answers 503: well under a client's patience. */
export const REDIS_COMMAND_TIMEOUT_MS = 1_500;

/** Reconnects forever, quickly at first: Redis restarting should be ridden through. */
const retryStrategy = (times: number): number => Math.min(100 * times, 1_000);

/**
 * The connection the leasing workers use: it waits out Redis restarts (maxRetriesPerRequest
 * null), as BullMQ requires of worker connections. Agents' syncs wait with it.
 */
export function createRedis(url: string): Redis {
  return new Redis({ ...redisOptions(url), maxRetriesPerRequest: null, retryStrategy });
}

/**
 * The connection of the queues, which request handlers use (create, kill, follow-up, /readyz):
 * it fails fast while Redis is away — no offline queue, a short command and connect timeout —
 * so a client hears 503 at once instead of hanging.
 */
export function createProducerRedis(url: string): Redis {
  return new Redis({
    ...redisOptions(url),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy,
  });
}

/** PONG within `ms`, else false: /readyz must answer promptly whatever Redis does. */
export async function pingWithin(redis: Redis, ms = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([redis.ping().then((r) => r === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** ioredis and BullMQ errors that mean Redis is away (not a bug): they answer 503. */
export function isRedisUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; depth++) {
    if (e.name === 'MaxRetriesPerRequestError') return true;
    if (/enableOfflineQueue|Command timed out|Connection is closed|ECONNREFUSED|ENOENT|ETIMEDOUT|ECONNRESET/.test(e.message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
