/** Everything the CLI touches of the process, handed in so commands can be run in tests. */
export interface Io {
  stdout: Output;
  stderr: Output;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  now(): number;
  /** Calls `fn` on Ctrl-C (SIGINT) instead of dying; returns the unsubscribe. */
  onInterrupt(fn: () => void): () => void;
}

export interface Output {
  write(text: string): void;
  isTTY?: boolean;
  columns?: number;
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    now: () => Date.now(),
    onInterrupt(fn) {
      process.on('SIGINT', fn);
      return () => process.off('SIGINT', fn);
    },
  };
}

/** Reads all of stdin as UTF-8 (for `-` in place of a prompt or a token file). */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
