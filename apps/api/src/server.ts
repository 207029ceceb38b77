import type { AddressInfo, Socket } from 'node:net';
import { createServer } from 'node:http';
import type { ServerType } from '@hono/node-server';
import type { Logger } from 'pino';
import { createDb, enableIncrementalVacuum, type DbHandle } from '@switchyard/db';
import { createScheduler, Hub, type Scheduler, type SchedulerConfig } from '@switchyard/scheduler';
import { createApi } from './app.ts';
import { withNative } from './native-create.ts';
import { startApprovalSweep } from './approvals/sweep.ts';
import { bootstrap } from './bootstrap.ts';
import type { Config } from './config.ts';
import { startRetention } from './retention.ts';
import { createProducerRedis, createRedis, pingWithin } from './redis.ts';
import { startSearchIndexer } from './search-indexer.ts';

export interface ApiServer {
  url: string;
  db: DbHandle;
  scheduler: Scheduler;
  /** Stops taking requests (long-polls and SSE streams end), then closes the scheduler, Redis and SQLite. */
  stop(): Promise<void>;
}

/**
 * Listens for a fleet: a long listen backlog (10,000 agents reconnect at once after a restart),
 * and idle keep-alive kept longer than an agent's gap between two syncs, so a fleet's
 * connections are reused instead of re-opened; a client racing a close it did not see yet is
 * what `fetch failed … other side closed` was at 10,000 agents. Headers must still come within
 * 20 s: with a 66 s headers timeout a stop with the dashboard open in Chromium hung for about a
 * minute (test/browser/dashboard.test.ts, "recovers when the API restarts"). `close` also ends
 * every socket itself, so no connection can hold a stop.
 */
function listen(server: ServerType, port: number, host: string): Promise<{ server: ServerType; close(): Promise<void> }> {
  const http = server as ServerType & { keepAliveTimeout: number; headersTimeout: number; closeAllConnections(): void };
  http.keepAliveTimeout = 65_000;
  http.headersTimeout = 20_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      http.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: 8_192 }, () => resolve({ server, close }));
  });
}

/**
 * The whole API: SQLite opened and bootstrapped, the scheduler started on Redis, and HTTP
 * listening. Resolves once it listens; `scheduler` overrides what the config does not cover.
 */
export async function startServer(
  config: Config,
  logger: Logger,
  scheduler: Partial<SchedulerConfig> = {},
  /** The scheduler's clock; Date.now unless a test moves time. */
  now?: () => number,
): Promise<ApiServer> {
  const db = createDb(config.dbFile, { checkpointEveryMs: 250 });
  // Once per database file: a whole-file VACUUM, so retention can give pages back (see CHANGELOG).
  const converting = (pages: number) => logger.info({ file: config.dbFile, pages }, 'converting the database to incremental auto-vacuum (one VACUUM, once)');
  if (enableIncrementalVacuum(db, converting)) logger.info({ file: config.dbFile }, 'database converted to incremental auto-vacuum');
  bootstrap(db, config.dataDir, config.bootstrapLocal, logger);
  void db.checkpointer?.now().then(({ log }) => {
    if (log >= 0) logger.info({ walPages: log }, 'WAL checkpoints run in a worker thread');
    else logger.warn('the WAL checkpointer thread did not answer: commits checkpoint the WAL themselves');
  });
  // Two connections: request paths fail fast while Redis is away, leasing waits it out.
  const redis = createProducerRedis(config.redisUrl);
  const workerRedis = createRedis(config.redisUrl);
  for (const r of [redis, workerRedis]) r.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  // The fail-fast connection refuses commands until it is connected: wait for it once, at start.
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  const sched = createScheduler({
    now,
    redis,
    workerRedis,
    db,
    logger: logger.child({ component: 'scheduler' }),
    hub: new Hub(),
    config: { graceSec: config.graceSec, maxAttempts: config.maxAttempts, prefix: config.redisPrefix, ...scheduler },
  });
  await sched.start();
  const { app, native } = createApi({ db, scheduler: sched, logger, config, redisPing: () => pingWithin(redis), now });
  const searchIndexer = startSearchIndexer(db, logger.child({ component: 'search' }));
  const approvalSweep = startApprovalSweep(db, sched.hub, logger.child({ component: 'approvals' }), now);
  const { server, close } = await listen(createServer(withNative(native, app.fetch)), config.port, config.host);
  const retention = startRetention(db, config, logger.child({ component: 'retention' }), now);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${config.host}:${port}`,
    db,
    scheduler: sched,
    async stop() {
      await close();
      approvalSweep.stop();
      searchIndexer.stop();
      await retention.stop();
      await sched.close();
      await Promise.all([redis, workerRedis].map((r) => r.quit().catch(() => undefined)));
      db.close();
    },
  };
}
