// The runner is imported by the agent's bundle, by tests and by the spare runner tmux starts
// ahead of a turn: loading it must do nothing. Its work (reading the spec, opening the turn's
// files, spawning claude) starts in main(). It once read a file at import (issue #9).
import cp from 'node:child_process';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { expect, it } from 'vitest';

const FS = ['readFileSync', 'writeFileSync', 'appendFileSync', 'openSync', 'writeSync', 'mkdirSync', 'readdirSync', 'statSync', 'existsSync', 'renameSync', 'rmSync', 'unlinkSync', 'watch', 'createReadStream', 'createWriteStream'] as const;
const CP = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

/** Wraps each named function so that a call made from the agent's own sources is recorded. */
function spyOn(target: Record<string, unknown>, names: readonly string[], label: string, calls: string[]): () => void {
  const saved = names.map((name) => [name, target[name]] as const);
  for (const [name, orig] of saved) {
    target[name] = function (this: unknown, ...args: unknown[]) {
      if (/apps\/agent\/src\//.test(new Error().stack ?? '')) calls.push(`${label}.${name}(${String(args[0])})`);
      return (orig as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  syncBuiltinESMExports();
  return () => {
    for (const [name, orig] of saved) target[name] = orig;
    syncBuiltinESMExports();
  };
}

it('loads without touching a file or starting a process: its work starts in main()', async () => {
  const calls: string[] = [];
  const restoreFs = spyOn(fs as unknown as Record<string, unknown>, FS, 'fs', calls);
  const restoreCp = spyOn(cp as unknown as Record<string, unknown>, CP, 'child_process', calls);
  try {
    const runner = await import('./runner.ts');
    expect(runner.main).toBeTypeOf('function');
    // The spy sees calls made through the module's named imports (a check of the check).
    fs.existsSync('/');
  } finally {
    restoreFs();
    restoreCp();
  }
  expect(calls).toEqual(['fs.existsSync(/)']);
});
