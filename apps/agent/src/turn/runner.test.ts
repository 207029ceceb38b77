// The runner as tmux runs it (a process of its own): whatever stops claude from starting, it
// writes exit.json with the reason and ends, so the agent reports `spawn_failed` and frees the slot.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TurnFiles, type ExitRecord, type RunnerSpec } from './layout.ts';
import { RUNNER_BIN } from './launcher.ts';
import { tempDir } from './test-support.ts';

const tmp = tempDir();
afterAll(tmp.remove);
let n = 0;

/** Writes a spec for a fresh turn and runs the runner on it; returns the turn's exit record. */
function runRunner(patch: Partial<RunnerSpec> = {}, specText?: string): { exit: ExitRecord | null; status: number | null; files: TurnFiles } {
  const files = new TurnFiles(tmp.dir, `tsk_0000runr${String(++n).padStart(4, '0')}`, 1);
  files.prepareFresh();
  const spec: RunnerSpec = {
    claudeBin: '/bin/echo',
    args: ['{"type":"result"}'],
    paths: files.paths,
    maxOutputBytes: 1 << 20,
    maxLineBytes: 1 << 16,
    workdir: tmp.dir,
    roots: [tmp.dir],
    env: { PATH: '/usr/bin:/bin' },
    ...patch,
  };
  writeFileSync(files.paths.spec, specText ?? JSON.stringify(spec));
  const r = spawnSync(process.execPath, [RUNNER_BIN, files.paths.spec], { timeout: 20_000, encoding: 'utf8' });
  return { exit: files.readExit(), status: r.status, files };
}

describe('runner', () => {
  it('runs claude and records its exit', () => {
    const { exit, files } = runRunner({ env: { PATH: '/usr/bin:/bin', ANTHROPIC_API_KEY: 'sk-secret' } });
    expect(exit).toMatchObject({ exitCode: 0, signal: null });
    expect(readFileSync(files.paths.output, 'utf8')).toBe('{"type":"result"}\n');
    // Credentials in claude's environment do not stay on disk in the spec.
    expect(readFileSync(files.paths.spec, 'utf8')).not.toContain('sk-secret');
  });

  it('records a NUL in an argument (the prompt) as a spawn failure instead of dying without a record', () => {
    const { exit, status } = runRunner({ args: ['-p', '--', 'hello\u0000world'] });
    expect(status).toBe(0);
    expect(exit?.spawnError).toMatch(/null bytes|NUL/i);
  });

  it('records a NUL in the environment as a spawn failure', () => {
    const { exit } = runRunner({ env: { PATH: '/usr/bin:/bin', BAD: 'a\u0000b' } });
    expect(exit?.spawnError).toMatch(/null bytes|NUL/i);
  });

  it('records a missing or unrunnable claude', () => {
    expect(runRunner({ claudeBin: join(tmp.dir, 'no-such-claude') }).exit?.spawnError).toMatch(/ENOENT/);
    const notExec = join(tmp.dir, 'not-executable');
    writeFileSync(notExec, '#!/bin/sh\n');
    chmodSync(notExec, 0o644);
    expect(runRunner({ claudeBin: notExec }).exit?.spawnError).toMatch(/EACCES/);
  });

  it('records a workdir it cannot enter, or one that resolves outside the roots', () => {
    expect(runRunner({ workdir: join(tmp.dir, 'gone') }).exit?.spawnError).toMatch(/workdir .*gone/);
    const root = join(tmp.dir, 'root');
    mkdirSync(root);
    symlinkSync('/etc', join(root, 'etc-link'));
    const escaped = runRunner({ workdir: join(root, 'etc-link'), roots: [root] }).exit;
    expect(escaped?.spawnError).toMatch(/resolves to \/etc outside the roots/);
  });

  it('records an unreadable spec beside it', () => {
    const { exit } = runRunner({}, '{not json');
    expect(exit?.spawnError).toMatch(/spec/);
  });
});
