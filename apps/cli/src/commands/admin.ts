import { createWriteStream, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command, Group } from '../command.ts';
import { CliError, EXIT } from '../errors.ts';
import { printJson } from '../output.ts';

/** SQLite files start with this; anything else is not a database, whatever answered. */
const SQLITE_MAGIC = 'SQLite format 3\0';

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Streams the response into FILE through a temp file beside it: FILE is whole or untouched. */
async function saveAtomically(res: Response, file: string): Promise<number> {
  const tmp = `${file}.${process.pid}.partial`;
  try {
    if (!res.body) throw new Error('the answer has no body');
    await pipeline(Readable.fromWeb(res.body as never), createWriteStream(tmp, { mode: 0o600, flags: 'wx' }));
    const bytes = statSync(tmp).size;
    const expected = Number(res.headers.get('content-length') ?? bytes);
    if (bytes !== expected) throw new Error(`received ${bytes} of ${expected} bytes`);
    if (readFileSync(tmp).subarray(0, 16).toString('latin1') !== SQLITE_MAGIC) throw new Error('the answer is not an SQLite database');
    renameSync(tmp, file);
    return bytes;
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

const backup: Command = {
  name: 'backup',
  summary: 'Save a consistent snapshot of the API’s database to FILE (admin)',
  args: 'FILE',
  minArgs: 1,
  maxArgs: 1,
  description:
    'The API copies its SQLite database online, while tasks keep running, and streams the copy here. ' +
    'FILE is written whole or not at all, mode 0600: it holds every prompt and the token hashes. ' +
    'To restore: stop the API, put FILE in place as switchyard.db in its data dir, delete switchyard.db-wal and ' +
    'switchyard.db-shm, start the API; queued work is put back on Redis from the database.',
  output: true,
  examples: [
    ['Nightly backup', 'switchyard admin backup /backups/switchyard-$(date +%F).db'],
  ],
  async run(ctx, { args, output }) {
    const file = args[0]!;
    const res = await ctx.client().backup();
    let bytes: number;
    try {
      bytes = await saveAtomically(res, file);
    } catch (err) {
      throw new CliError(`backup not saved to ${file}: ${(err as Error).message}`, 'Check the directory is writable and has room, then run it again.', EXIT.server);
    }
    if (output === 'json') printJson(ctx.io, { file, bytes });
    else ctx.io.stdout.write(`saved ${size(bytes)} (${bytes} bytes) to ${file}\n`);
    return 0;
  },
};

export const adminGroup: Group = {
  name: 'admin',
  summary: 'Operating the API: backups',
  commands: [backup],
};
