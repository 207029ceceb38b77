import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentConfig } from './config.ts';
import { checkReadiness, installedSim, loggedIn, which } from './readiness.ts';

const dir = mkdtempSync(join(tmpdir(), 'sy-ready-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base: AgentConfig = {
  url: 'http://x', token: 't', dir, slots: 2, workdirRoots: ['/tmp'], claudeBin: null, simFallback: false,
  sessionRetentionSec: 1, dirRetentionSec: 1, maxOutputBytes: 1 << 20, killGraceSec: 1, logLevel: 'silent',
};

/** A PATH holding only node and, optionally, a fake claude: nothing else of the machine. */
function pathWith(opts: { claude?: boolean; tmux?: boolean }): string {
  const bin = mkdtempSync(join(dir, 'bin-'));
  if (opts.claude) {
    writeFileSync(join(bin, 'claude'), '#!/bin/sh\necho "2.0.14 (Claude Code)"\n');
    chmodSync(join(bin, 'claude'), 0o755);
  }
  symlinkSync(process.execPath, join(bin, 'node'));
  const paths = [bin];
  if (opts.tmux) paths.push(dirname(which('tmux')!));
  return paths.join(':');
}

describe('readiness', () => {
  it('reports claude missing and tmux missing as problems', async () => {
    const r = await checkReadiness(base, { PATH: pathWith({}), HOME: dir });
    expect(r.report.problems).toEqual(['no claude on PATH', 'no tmux on PATH']);
    expect(r.report.tmuxVersion).toBeNull();
    expect(r.claudeBin).toBeNull();
  });

  it('reports a claude that is not logged in, and accepts one that is', async () => {
    const path = pathWith({ claude: true, tmux: true });
    const out = await checkReadiness(base, { PATH: path, HOME: dir });
    expect(out.report.problems.join()).toMatch(/not logged in/);
    expect(out.report.claudeVersion).toBe('2.0.14 (Claude Code)');
    const ok = await checkReadiness(base, { PATH: path, HOME: dir, ANTHROPIC_API_KEY: 'sk-test' });
    expect(ok.report.problems).toEqual([]);
    expect(ok.report.simulated).toBe(false);
  });

  it('falls back to claude-sim when allowed, and says it is simulated', async () => {
    const r = await checkReadiness({ ...base, simFallback: true }, { PATH: pathWith({ tmux: true }), HOME: dir });
    expect(r.claudeBin).toBe(installedSim()!);
    expect(r.report).toMatchObject({ simulated: true, problems: [] });
    expect(r.report.claudeVersion).toContain('sim');
  });

  it('reports a missing workdir root', async () => {
    const r = await checkReadiness({ ...base, claudeBin: installedSim()!, workdirRoots: ['/tmp', '/no/such/root'] }, { PATH: pathWith({ tmux: true }) });
    expect(r.report.problems).toEqual(['workdir root /no/such/root does not exist']);
  });

  it('treats credentials under ~/.claude as a login', () => {
    const home = mkdtempSync(join(dir, 'home-'));
    expect(loggedIn({}, home)).toBe(false);
    mkdirSync(join(home, '.claude'));
    writeFileSync(join(home, '.claude', '.credentials.json'), '{}');
    expect(loggedIn({}, home)).toBe(true);
  });
});
