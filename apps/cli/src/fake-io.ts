import { Readable } from 'node:stream';
import type { Io } from './io.ts';

/** An Io for in-process tests: captured output, a fixed clock, given env and stdin. */
export function fakeIo(o: { env?: Record<string, string | undefined>; stdin?: string; now?: number } = {}) {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: { write: (s: string) => void (out += s) },
    stderr: { write: (s: string) => void (err += s) },
    stdin: Readable.from([o.stdin ?? '']),
    env: o.env ?? {},
    now: () => o.now ?? Date.parse('2026-01-01T12:00:00Z'),
    onInterrupt: () => () => undefined,
  };
  return { io, stdout: () => out, stderr: () => err };
}
