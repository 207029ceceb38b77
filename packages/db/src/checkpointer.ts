import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * WAL checkpoints off the request path. SQLite's default checkpoints inside the commit that
 * takes the WAL past 1,000 pages: that commit copies every page into the database file and
 * fsyncs it, on the thread that serves requests (about a twentieth of a create's CPU at 64
 * clients, and a stall for every request waiting on it). Here a worker thread with its own
 * connection runs PASSIVE checkpoints — they never block a writer or a reader — every `everyMs`,
 * on the machine's other core. The request connection keeps a backstop: at `BACKSTOP_PAGES` it
 * checkpoints itself, which is cheap then (the worker has copied most frames) and lets the WAL
 * start over under a load that never pauses. If the worker fails, the connection goes back to
 * SQLite's default.
 */
export interface Checkpointer {
  /** A checkpoint now; resolves with SQLite's answer (frames in the log, frames copied). */
  now(): Promise<{ log: number; checkpointed: number }>;
  stop(): Promise<void>;
}

/** The request connection checkpoints itself past this many WAL pages (64 MiB of 4 KiB pages). */
export const BACKSTOP_PAGES = 16_000;
const SQLITE_DEFAULT_PAGES = 1_000;

/** The worker: plain CommonJS, evaluated as a string so that bundles need no second file. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
const checkpoint = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    return { log: r.log, checkpointed: r.checkpointed };
  } catch {
    return { log: -1, checkpointed: -1 }; // busy with another checkpoint: the next one copies
  }
};
setInterval(checkpoint, workerData.everyMs).unref();
parentPort.on('message', (m) => {
  if (m.type === 'checkpoint') parentPort.postMessage({ id: m.id, ...checkpoint() });
  if (m.type === 'stop') { db.close(); parentPort.close(); }
});
`;

export function startCheckpointer(sqlite: Database.Database, file: string, everyMs = 250): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { driver, file, everyMs },
    // It holds a connection and a timer: a small heap keeps the API's RSS within its goal.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
  });
  worker.unref();
  sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const waiting = new Map<number, (r: { log: number; checkpointed: number }) => void>();
  let next = 0;
  let alive = true;
  const fallBack = () => {
    alive = false;
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
    for (const resolve of waiting.values()) resolve({ log: -1, checkpointed: -1 });
    waiting.clear();
  };
  worker.on('message', (m: { id: number; log: number; checkpointed: number }) => {
    waiting.get(m.id)?.({ log: m.log, checkpointed: m.checkpointed });
    waiting.delete(m.id);
  });
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  return {
    now: () =>
      new Promise((resolve) => {
        if (!alive) return resolve({ log: -1, checkpointed: -1 });
        const id = next++;
        waiting.set(id, resolve);
        worker.postMessage({ type: 'checkpoint', id });
      }),
    stop: async () => {
      if (!alive) return;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage({ type: 'stop' });
      await exited;
    },
  };
}
