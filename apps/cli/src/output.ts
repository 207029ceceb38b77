import type { Io } from './io.ts';

export function printJson(io: Pick<Io, 'stdout'>, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
