import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Where the services' pino logs go: written straight to `fd` (nothing buffered, so nothing to
 * lose or flush at exit), and silent once nobody reads it.
 *
 * pino's default destination buffers and flushes at exit. When stdout is a pipe whose reader died
 * (`npm start` killed outright), that flush retries EPIPE forever (sonic-boom 4.2) and the
 * process never exits, so its watchdog has to SIGKILL it.
 */
export function stdoutSink(fd = 1): { write(line: string): void } {
  let gone = false;
  return {
    write(line: string): void {
      let buf = Buffer.from(line);
      while (!gone && buf.length > 0) {
        try {
          buf = buf.subarray(writeSync(fd, buf));
        } catch (err) {
          // A non-blocking pipe that is full: the reader is alive but slow, so wait for it.
          if ((err as NodeJS.ErrnoException).code === 'EAGAIN') Atomics.wait(pause, 0, 0, 10);
          else gone = true;
        }
      }
    },
  };
}
