import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Lines of one turn of the event loop are written together, in one write, once they reach this. */
const FLUSH_BYTES = 64 * 1024;

/**
 * Where the services' pino logs go: the lines of one turn of the event loop gathered and written
 * to `fd` at its end (one write for a burst of requests rather than one per line), at once when
 * they pass 64 KiB, and synchronously at exit; silent once nobody reads it. Only a process
 * killed outright loses the lines of its last turn.
 *
 * pino's default destination buffers and flushes at exit. When stdout is a pipe whose reader died
 * (`npm start` killed outright), that flush retries EPIPE forever (sonic-boom 4.2) and the
 * process never exits, so its watchdog has to SIGKILL it.
 */
export function stdoutSink(fd = 1): { write(line: string): void; flush(): void } {
  let gone = false;
  let pending: string[] = [];
  let size = 0;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    let buf = Buffer.from(pending.join(''));
    pending = [];
    size = 0;
    while (!gone && buf.length > 0) {
      try {
        buf = buf.subarray(writeSync(fd, buf));
      } catch (err) {
        // A non-blocking pipe that is full: the reader is alive but slow, so wait for it.
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') Atomics.wait(pause, 0, 0, 10);
        else gone = true;
      }
    }
  };
  process.on('exit', flush);
  return {
    write(line: string): void {
      if (gone) return;
      pending.push(line);
      size += line.length;
      if (size >= FLUSH_BYTES) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
