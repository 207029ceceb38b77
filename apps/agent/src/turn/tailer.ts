import { closeSync, openSync, readSync, statSync } from 'node:fs';

const READ_CHUNK = 1024 * 1024;
/** At most this many chunks per read, so one busy turn cannot hold up the others. */
const MAX_CHUNKS = 16;

export interface ReadOptions {
  /** The writer has ended: a last line without its newline is whole too. */
  final?: boolean;
  /** Checked after each chunk: true stops reading until the next call. */
  enough?: () => boolean;
}

/**
 * Follows a file that another process appends to (output.jsonl), by byte offset, and hands over
 * whole lines only: a line cut by a chunk boundary or a write in progress waits for its end.
 */
export class Tailer {
  private carry = Buffer.alloc(0);

  constructor(
    private readonly file: string,
    private position = 0,
  ) {}

  /** Bytes of the file consumed so far, the unfinished line included. */
  get offset(): number {
    return this.position;
  }

  /** Calls `onLine` with each whole line past the offset, in order; returns how many. */
  read(onLine: (line: string) => void, { final = false, enough }: ReadOptions = {}): number {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return 0;
    }
    let count = 0;
    try {
      const buf = Buffer.alloc(READ_CHUNK);
      for (let i = 0; i < MAX_CHUNKS; i++) {
        const n = readSync(fd, buf, 0, READ_CHUNK, this.position);
        if (n <= 0) break;
        this.position += n;
        let data = Buffer.concat([this.carry, buf.subarray(0, n)]);
        let nl: number;
        while ((nl = data.indexOf(0x0a)) >= 0) {
          onLine(data.subarray(0, nl).toString('utf8'));
          count++;
          data = data.subarray(nl + 1);
        }
        this.carry = Buffer.from(data);
        if (enough?.()) break;
      }
    } finally {
      closeSync(fd);
    }
    if (final && this.carry.length > 0 && this.position >= this.size()) {
      onLine(this.carry.toString('utf8'));
      count++;
      this.carry = Buffer.alloc(0);
    }
    return count;
  }

  /** True when every byte of the file has been handed over as a line. */
  atEnd(): boolean {
    return this.position >= this.size() && this.carry.length === 0;
  }

  /** Starts over from `offset`, forgetting any unfinished line. */
  reset(offset = 0): void {
    this.position = offset;
    this.carry = Buffer.alloc(0);
  }

  private size(): number {
    try {
      return statSync(this.file).size;
    } catch {
      return 0;
    }
  }
}
