import { writeFileSync, chmodSync } from 'node:fs';
import type { TokenCreated } from '@switchyard/client';
import type { Ctx, Invocation } from '../command.ts';
import { UsageError } from '../errors.ts';
import { printJson } from '../output.ts';

/**
 * Hands a new secret over once: to --out-file (mode 0600), or as the only thing on stdout so
 * `$(…)` captures it; everything else goes to stderr.
 */
export function handOver(ctx: Ctx, inv: Invocation, created: TokenCreated, what: string): void {
  const { io } = ctx;
  const file = inv.flags.string('out-file');
  if (file) {
    try {
      writeFileSync(file, `${created.token}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
    } catch (err) {
      throw new UsageError(`cannot write ${file}: ${(err as Error).message}`);
    }
    io.stderr.write(`${what} ${created.id} (${created.prefix}…) written to ${file} (mode 0600).\n`);
    if (inv.output === 'json') printJson(io, { ...created, token: undefined });
    return;
  }
  if (inv.output === 'json') printJson(io, created);
  else io.stdout.write(`${created.token}\n`);
  io.stderr.write(`${what} ${created.id}: the secret is shown only this once; store it now.\n`);
}

export const OUT_FILE = { type: 'string', value: 'FILE', help: 'write the secret to FILE (mode 0600) instead of stdout' } as const;
