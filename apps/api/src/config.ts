import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseTrustedProxies } from './limits/client-address.ts';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/** Every variable the API reads. The README's configuration table is this list. */
export const ConfigSchema = z.object({
  /** TCP port of the HTTP API. */
  SWITCHYARD_PORT: z.coerce.number().int().min(0).max(65535).default(7700),
  /** Interface to listen on; 0.0.0.0 in a container. */
  SWITCHYARD_HOST: z.string().default('127.0.0.1'),
  /** Where the SQLite file, admin-token and (for npm start) Redis data live. */
  SWITCHYARD_DATA_DIR: z.string().default('./.switchyard'),
  /** SQLite file; defaults to <data dir>/switchyard.db. */
  SWITCHYARD_DB_FILE: z.string().optional(),
  /** redis://host:port[/db], rediss://…, or unix:///path/to/redis.sock. */
  REDIS_URL: z.string().min(1, 'REDIS_URL is required (npm start sets it for you)'),
  /** Redis key prefix of the queues, to share one Redis between installations. */
  SWITCHYARD_REDIS_PREFIX: z.string().regex(/^[a-z0-9_-]+$/).default('sy'),
  /** Create team `default`, workspace `local` and <data dir>/agent-token for a local agent. */
  SWITCHYARD_BOOTSTRAP_LOCAL: bool.default(false),
  /** Largest prompt accepted, in bytes. */
  SWITCHYARD_MAX_PROMPT_BYTES: z.coerce.number().int().min(1).default(100 * 1024),
  /** Largest request body accepted, in bytes. */
  SWITCHYARD_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  /** Live streams (task output and fleet events over SSE) one token may hold open at once; 429 past it. */
  SWITCHYARD_MAX_STREAMS_PER_TOKEN: z.coerce.number().int().min(1).default(20),
  /** Failed authentications per client address per minute before it gets 429 for a while. */
  SWITCHYARD_AUTH_FAILURES_PER_MIN: z.coerce.number().int().min(1).default(20),
  /**
   * Proxies whose `X-Forwarded-For` is believed (IPs or CIDR ranges, comma separated); empty:
   * the TCP peer is the client.
   */
  SWITCHYARD_TRUSTED_PROXIES: z
    .string()
    .default('')
    .refine((v) => {
      try {
        parseTrustedProxies(v);
        return true;
      } catch {
        return false;
      }
    }, 'IP addresses or CIDR ranges, comma separated'),
  /** Seconds of agent silence before its work is returned to the queue or lost. */
  SWITCHYARD_AGENT_GRACE_SEC: z.coerce.number().int().min(5).default(90),
  /** Infrastructure attempts of a turn (agent lost before start, spawn failure). */
  SWITCHYARD_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(3),
  /** Milliseconds to finish in-flight work on SIGTERM before exiting anyway. */
  SWITCHYARD_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /**
   * Days the output lines and status events of a finished task are kept; 0 keeps them forever.
   * The task row (prompt, result, cost, turns) stays until SWITCHYARD_TASK_RETENTION_DAYS.
   */
  SWITCHYARD_RETENTION_DAYS: z.coerce.number().int().min(0).default(90),
  /** Days a finished task is kept at all (row, turns, output, search entry); 0 keeps them forever. */
  SWITCHYARD_TASK_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
  /** Minutes between retention passes (each prunes in small batches, then vacuums freed pages). */
  SWITCHYARD_RETENTION_INTERVAL_MIN: z.coerce.number().int().min(1).default(60),
  /** pino level: fatal, error, warn, info, debug, trace. */
  SWITCHYARD_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  dbFile: string;
  redisUrl: string;
  redisPrefix: string;
  bootstrapLocal: boolean;
  maxPromptBytes: number;
  maxBodyBytes: number;
  maxStreamsPerToken: number;
  authFailuresPerMinute: number;
  trustedProxies: string;
  graceSec: number;
  maxAttempts: number;
  shutdownTimeoutMs: number;
  logLevel: string;
  /** null: kept forever. */
  retentionDays: number | null;
  taskRetentionDays: number | null;
  retentionIntervalMs: number;
}

/** Reads the environment; fails naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.SWITCHYARD_DATA_DIR.replace(/^~(?=\/|$)/, homedir()));
  return {
    port: e.SWITCHYARD_PORT,
    host: e.SWITCHYARD_HOST,
    dataDir,
    dbFile: e.SWITCHYARD_DB_FILE ? resolve(e.SWITCHYARD_DB_FILE) : resolve(dataDir, 'switchyard.db'),
    redisUrl: e.REDIS_URL,
    redisPrefix: e.SWITCHYARD_REDIS_PREFIX,
    bootstrapLocal: e.SWITCHYARD_BOOTSTRAP_LOCAL,
    maxPromptBytes: e.SWITCHYARD_MAX_PROMPT_BYTES,
    maxBodyBytes: e.SWITCHYARD_MAX_BODY_BYTES,
    maxStreamsPerToken: e.SWITCHYARD_MAX_STREAMS_PER_TOKEN,
    authFailuresPerMinute: e.SWITCHYARD_AUTH_FAILURES_PER_MIN,
    trustedProxies: e.SWITCHYARD_TRUSTED_PROXIES,
    graceSec: e.SWITCHYARD_AGENT_GRACE_SEC,
    maxAttempts: e.SWITCHYARD_MAX_ATTEMPTS,
    shutdownTimeoutMs: e.SWITCHYARD_SHUTDOWN_TIMEOUT_MS,
    logLevel: e.SWITCHYARD_LOG_LEVEL,
    retentionDays: e.SWITCHYARD_RETENTION_DAYS || null,
    taskRetentionDays: e.SWITCHYARD_TASK_RETENTION_DAYS || null,
    retentionIntervalMs: e.SWITCHYARD_RETENTION_INTERVAL_MIN * 60_000,
  };
}
