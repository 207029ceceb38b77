import { closeSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { DbHandle } from './client.ts';

/** Pages copied per step; between steps the event loop runs, so requests keep being answered. */
const PAGES_PER_STEP = 256;
const PREFIX = '.backup-';
/** A snapshot older than this was left by a process that died sending it. */
const STALE_MS = 24 * 3_600_000;

/** Deletes snapshots that a crash left behind (never one still being taken or sent). */
function removeStale(dir: string, now: number): void {
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(PREFIX)) continue;
    const file = join(dir, name);
    try {
      if (now - statSync(file).mtimeMs > STALE_MS) rmSync(file, { force: true });
    } catch {
      // gone meanwhile
    }
  }
}

export interface Snapshot {
  file: string;
  bytes: number;
  /** Deletes the snapshot file; safe to call twice. */
  remove(): void;
}

/**
 * A consistent copy of the live database, taken with SQLite's online backup API into a new
 * owner-only file beside it (same volume, same permissions as the database). Writes made through
 * this connection while it runs are carried into the copy, so the API keeps serving.
 */
export async function snapshotDatabase(handle: DbHandle, now = Date.now()): Promise<Snapshot> {
  const dir = dirname(handle.sqlite.name);
  removeStale(dir, now);
  const file = join(dir, `${PREFIX}${randomUUID()}.db`);
  // Created 0600 first: the copy holds token hashes and every prompt.
  closeSync(openSync(file, 'wx', 0o600));
  const remove = () => rmSync(file, { force: true });
  try {
    await handle.sqlite.backup(file, { progress: () => PAGES_PER_STEP });
    return { file, bytes: statSync(file).size, remove };
  } catch (err) {
    remove();
    throw err;
  }
}
