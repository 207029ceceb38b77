// The pane is for looking at; storing output never waits for it.
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TurnFiles, type RunnerSpec } from './layout.ts';
import { RUNNER_BIN } from './launcher.ts';
import { createPane, PANE_LINES, type PaneOutput } from './pane.ts';
import { tempDir } from './test-support.ts';

const tmp = tempDir();
afterAll(tmp.remove);

/** A pane whose writes finish only when the test says so, as a terminal tmux has not read yet. */
function slowTerminal() {
  const shown: string[] = [];
  let finish: (() => void) | null = null;
  const out: PaneOutput = {
    write: (text, done) => {
      shown.push(text);
      finish = done;
    },
    writeNow: (text) => void shown.push(text),
  };
  return { out, shown, release: () => (finish?.(), (finish = null)) };
}

const text = (i: number) => JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: `line ${i}` }] } });

describe('the pane', () => {
  it('shows a transcript rendered, and when output outruns it, the last lines after a note of how many it left out', async () => {
    const term = slowTerminal();
    const pane = createPane(term.out, 1);
    pane.line(text(1));
    await expect.poll(() => term.shown).toEqual(['line 1\n']);
    // The terminal is still busy with that while 5,000 more lines come.
    for (let i = 2; i <= 5001; i++) pane.line(text(i));
    term.release();
    pane.close();
    const last = term.shown.at(-1)!.split('\n').filter(Boolean);
    expect(last[0]).toBe(`… ${5000 - PANE_LINES} more lines not shown here (switchyard task logs has every line) …`);
    expect(last.slice(1)).toEqual(Array.from({ length: PANE_LINES }, (_, i) => `line ${5001 - PANE_LINES + 1 + i}`));
  });

  it('shows output written at a human pace at once, with no wait for the render window', async () => {
    const term = slowTerminal();
    const pane = createPane(term.out, 3_600_000);
    pane.line(text(1));
    await expect.poll(() => term.shown).toEqual(['line 1\n']);
    term.release();
    pane.line(text(2));
    await expect.poll(() => term.shown).toEqual(['line 1\n', 'line 2\n']);
    pane.close();
  });

  it('a terminal read late: claude’s output is all stored, its end recorded, and the pane shows the last lines, not a backlog', async () => {
    const files = new TurnFiles(tmp.dir, 'tsk_0000pane0001', 1);
    files.prepareFresh();
    const claude = join(tmp.dir, 'claude');
    writeFileSync(claude, `#!/bin/sh\nseq 1 50000 | sed 's/.*/{"type":"assistant","message":{"content":[{"type":"text","text":"line &"}]}}/'\n`);
    chmodSync(claude, 0o755);
    const spec: RunnerSpec = { claudeBin: claude, args: [], paths: files.paths, maxOutputBytes: 1 << 26, maxLineBytes: 1 << 16, workdir: tmp.dir, roots: [tmp.dir], env: { PATH: '/usr/bin:/bin' } };
    writeFileSync(files.paths.spec, JSON.stringify(spec));
    // Its stdout is a pipe nobody reads until the turn has ended: it fills after 64 KiB. (The
    // shell only joins two fixed programs; the paths are its arguments.)
    const reader = 'while [ ! -e "$3" ]; do sleep 0.05; done; cat';
    const runner = spawn('/bin/sh', ['-c', `"$0" "$1" "$2" | { ${reader}; }`, process.execPath, RUNNER_BIN, files.paths.spec, files.paths.exit], { stdio: ['ignore', 'pipe', 'ignore'] });
    let shown = '';
    runner.stdout!.setEncoding('utf8').on('data', (chunk: string) => (shown += chunk));
    try {
      await new Promise((r) => runner.on('exit', r));
      expect(files.readExit()).toMatchObject({ exitCode: 0 });
      expect(readFileSync(files.paths.output, 'utf8').trimEnd().split('\n')).toHaveLength(50_000);
      const lines = shown.split('\n').filter((l) => l.startsWith('line '));
      expect(lines.length).toBeLessThan(50_000);
      expect(shown).toMatch(/… \d+ more lines not shown here/);
    } finally {
      runner.kill('SIGKILL');
    }
  });
});
