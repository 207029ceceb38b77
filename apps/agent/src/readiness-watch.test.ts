import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentConfig } from './config.ts';
import { readinessDue, type Readiness } from './readiness.ts';
import { ReadinessWatch } from './readiness-watch.ts';

const dir = mkdtempSync(join(tmpdir(), 'sy-watch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A claude that logs each `--version`, fails it once when `fail-once` exists, and waits `slow` seconds. */
function fakeClaude(name: string, opts: { failOnce?: boolean; slowSec?: number } = {}): { bin: string; versionCalls: () => number } {
  const home = mkdtempSync(join(dir, `${name}-`));
  if (opts.failOnce) writeFileSync(join(home, 'fail-once'), '');
  const bin = join(home, 'claude');
  writeFileSync(bin, `#!/bin/sh
if [ "$1" = "--version" ]; then
  echo v >> "${home}/calls"
  if [ -e "${home}/fail-once" ]; then rm "${home}/fail-once"; exit 1; fi
  sleep ${opts.slowSec ?? 0}
  echo "2.1.332 (Claude Code)"
  exit 0
fi
echo '{"loggedIn":true,"authMethod":"api_key","apiProvider":"firstParty"}'
`);
  chmodSync(bin, 0o755);
  const versionCalls = () => {
    try {
      return readFileSync(join(home, 'calls'), 'utf8').split('\n').filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  return { bin, versionCalls };
}

const config = (claudeBin: string): AgentConfig => ({
  url: 'http://x', token: 't', dir, slots: 1, workdirRoots: ['/tmp'], claudeBin, simFallback: false,
  sessionRetentionSec: 1, dirRetentionSec: 1, maxOutputBytes: 1 << 20, killGraceSec: 1, logLevel: 'silent',
});

describe('readiness, checked again', () => {
  it('is due at once while not ready, and a minute after a check that found none', () => {
    const at = (problems: string[], checkedAt: number) => ({ claudeBin: null, checkedAt, report: { problems } }) as unknown as Readiness;
    expect(readinessDue(null)).toBe(true);
    // Before, a not-ready agent looked again only a minute later, whatever had gone wrong.
    expect(readinessDue(at(['claude at /x does not run (claude --version failed)'], 1_000), 1_001)).toBe(true);
    expect(readinessDue(at([], 1_000), 60_999)).toBe(false);
    expect(readinessDue(at([], 1_000), 61_000)).toBe(true);
  });

  it('recovers at the next look from a claude --version that failed once, and says so once', async () => {
    const claude = fakeClaude('flaky', { failOnce: true });
    const changes: Readiness[] = [];
    const watch = new ReadinessWatch(config(claude.bin), (next) => changes.push(next));
    const first = await watch.check();
    expect(first.report.problems).toEqual([`claude at ${claude.bin} does not run (claude --version failed)`]);
    await watch.recheck();
    expect(changes.map((r) => r.report.problems)).toEqual([[]]);
    expect(watch.current?.claudeBin).toBe(claude.bin);
    // Ready now: the next look within the minute runs nothing.
    await watch.recheck();
    expect(claude.versionCalls()).toBe(2);
    expect(changes).toHaveLength(1);
  });

  it('runs one check at a time: a look while a slow check runs starts no second one', async () => {
    const claude = fakeClaude('slow', { slowSec: 1 });
    const watch = new ReadinessWatch(config(claude.bin), () => undefined);
    await Promise.all([watch.recheck(), watch.recheck(), watch.recheck()]);
    expect(claude.versionCalls()).toBe(1);
  });

  it('keeps a login hold as a problem until it ends, then lets the checks decide', async () => {
    const claude = fakeClaude('held');
    const changes: Readiness[] = [];
    const watch = new ReadinessWatch(config(claude.bin), (next) => changes.push(next));
    watch.hold(Date.now() + 60_000, "claude's login failed in a turn (authentication_failed)");
    expect((await watch.check()).report.problems).toEqual(["claude's login failed in a turn (authentication_failed)"]);
    watch.hold(Date.now() - 1, "claude's login failed in a turn (authentication_failed)");
    await watch.recheck(true);
    expect(changes.map((r) => r.report.problems)).toEqual([[]]);
  });
});
