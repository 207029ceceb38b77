import { serve } from '@hono/node-server';
import pino from 'pino';
import { stdoutSink } from '@switchyard/core';
import { createDb } from '@switchyard/db';
import { createScheduler, Hub } from '@switchyard/scheduler';
import { createApp } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import { loadConfig } from './config.ts';
import { createRedis } from './redis.ts';

const REDACT = ['req.headers.authorization', '*.authorization', '*.token', '*.secret', '*.apiKey', '*.ANTHROPIC_API_KEY', 'token', 'secret'];

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'switchyard-api' } }, stdoutSink());
  const db = createDb(config.dbFile);
  bootstrap(db, config.dataDir, config.bootstrapLocal, logger);
  const redis = createRedis(config.redisUrl);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const hub = new Hub();
  const scheduler = createScheduler({
    redis,
    db,
    logger: logger.child({ component: 'scheduler' }),
    hub,
    config: { graceSec: config.graceSec, maxAttempts: config.maxAttempts, prefix: config.redisPrefix },
  });
  await scheduler.start();
  const app = createApp({
    db,
    scheduler,
    logger,
    config,
    redisPing: async () => (await redis.ping()) === 'PONG',
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    logger.info({ url: `http://${config.host}:${info.port}`, dataDir: config.dataDir }, 'switchyard api listening');
  });

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown deadline passed; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    // Stop accepting requests; long-polls and SSE streams end when their sockets close.
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    await scheduler.close();
    await redis.quit().catch(() => undefined);
    db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`switchyard api failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
