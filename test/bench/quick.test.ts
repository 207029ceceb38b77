// The benchmark is part of the product: `npm run bench -- --quick` must run on a fresh machine and
// report every goal. Its figures are not judged here (timing goals live in bench/), but what a
// user would call broken is: a measure missing, or output lost or doubled on the way.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/agent.ts';

const out = mkdtempSync(join(tmpdir(), 'sy-bench-out-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function runQuick(): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve) => {
    const proc = spawn('npm', ['run', '-s', 'bench', '--', '--quick'], { cwd: REPO, env: { ...process.env, BENCH_OUT: out }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout.on('data', (b: Buffer) => (log += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (log += b.toString()));
    proc.on('exit', (code) => resolve({ code, log }));
  });
}

describe('npm run bench -- --quick', () => {
  it('runs the real stack and reports every goal, with no output line lost or doubled and every fleet task done', async () => {
    const { code, log } = await runQuick();
    expect(code, log).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      quick: boolean;
      goals: { measure: string; value: string }[];
      agent: Record<'stream200' | 'stream4k' | 'burst200' | 'burst4k', { lost: number; doubled: number; stored: number; lines: number }>;
      fleet: { agents: number; error?: string; tasks: { created: number; completed: number; ranTwice: number } }[];
    };
    expect(results.quick).toBe(true);
    const measures = results.goals.map((g) => g.measure);
    for (const m of [/^POST \/v1\/tasks, 64 clients/, /^POST \/v1\/tasks, 1 client/, /100,000 tasks of history/, /^GET \/v1\/me/, /first output line/, /lines of 200 B/, /lines of 4096 B/, /API RSS/, /fleet of 500 simulated agents/]) {
      expect(measures.some((x) => m.test(x)), `${m} in ${measures.join('; ')}`).toBe(true);
    }
    for (const key of ['stream200', 'stream4k', 'burst200', 'burst4k'] as const) expect([results.agent[key].lost, results.agent[key].doubled], key).toEqual([0, 0]);
    // The fleet of 500 through the real protocol: every task created is done, none twice.
    const [fleet] = results.fleet;
    expect(fleet?.error).toBeUndefined();
    expect(fleet!.tasks.completed).toBe(fleet!.tasks.created);
    expect(fleet!.tasks.created).toBeGreaterThan(0);
    expect(fleet!.tasks.ranTwice).toBe(0);
    expect(results.agent.stream200.stored).toBeGreaterThanOrEqual(results.agent.stream200.lines);
    expect(readFileSync(join(out, 'BENCHMARKS.md'), 'utf8')).toMatch(/\| measure \| value \| ceiling in the same run \| goal \|/);
  }, 300_000);
});
