/**
 * `npm run bench [-- --quick]`: the real stack (redis-server, the API as its own process, the real
 * agent in tmux) measured against the goals of issue #12, each beside a ceiling taken in the same
 * run. Writes bench/results.json and BENCHMARKS.md. `--quick` (under two minutes) runs every
 * measure shorter and skips the 1M-task database.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../test/support/agent.ts';
import { runFleet, type FleetResult } from './lib/fleet.ts';
import { historyDir } from './lib/history.ts';
import { creates, firstLine, healthz, me, pause, streaming, withRssPeak } from './lib/scenarios.ts';
import { startStack } from './lib/stack.ts';
import { environment, evaluate, renderMarkdown, type Results } from './report.ts';

const quick = process.argv.includes('--quick');
const SECONDS = Number(process.env.BENCH_SECONDS ?? (quick ? 2 : 8));
const HISTORY = quick ? [100_000] : [100_000, 1_000_000];
const FLEETS = quick ? [500] : [500, 2_000, 10_000];
const STUB = join(REPO, 'bench', 'stub', 'claude');
const log = (s: string) => process.stderr.write(`${s}\n`);
/** Where results.json and BENCHMARKS.md go: the repo, unless BENCH_OUT names a directory (the test's). */
const OUT = process.env.BENCH_OUT;

/** The faster of two runs of one load, with both rates. */
function best<T extends { perSec: number }>(a: T, b: T): T & { runsPerSec: number[] } {
  return { ...(b.perSec > a.perSec ? b : a), runsPerSec: [a.perSec, b.perSec] };
}

/** Admission on one database: creates at 64 and 1 clients beside /healthz, and /v1/me. */
async function admission(seedDir: string | undefined, withMe: boolean) {
  const stack = await startStack({ seedDir });
  try {
    await pause(stack, true);
    // Warm up: V8 compiles the hot paths and SQLite fills its cache before anything is measured.
    await healthz(stack, 64, 1);
    await creates(stack, 64, 1);
    const { value, peakMiB } = await withRssPeak(stack, async () => {
      const before = await healthz(stack, 64, SECONDS);
      const ceiling1 = await healthz(stack, 1, SECONDS);
      const first = await creates(stack, 64, SECONDS);
      const alone = await creates(stack, 1, SECONDS);
      const me64 = withMe ? await me(stack, 64, SECONDS) : null;
      const second = await creates(stack, 64, SECONDS);
      const again = await creates(stack, 1, SECONDS);
      const after = await healthz(stack, 64, SECONDS);
      // A busy moment of this shared machine only ever slows a measure (±15 % between runs of the
      // same code here): the ceiling and the creates are each the better of two runs taken apart,
      // both printed, so neither a low ceiling nor one slow run decides a ratio.
      return { healthz64: best(before, after), healthz1: ceiling1, create64: best(first, second), create1: best(alone, again), me64 };
    });
    return { ...value, idleRssMiB: stack.apiRssMiB(), peakRssMiB: peakMiB };
  } finally {
    await stack.stop();
  }
}

/** The agent with the one-line stub claude: first-line latency, then streaming. */
async function pipeline() {
  const stack = await startStack();
  try {
    await stack.startAgent(STUB, 2);
    await firstLine(stack, 2); // warm-up
    const { value, peakMiB } = await withRssPeak(stack, async () => {
      const first = await firstLine(stack, quick ? 8 : 30);
      // At the goal's pace (does it keep up, and how late is each line?), then flat out (capacity).
      const small = await streaming(stack, quick ? 10_000 : 40_000, 200, 20_000);
      const large = await streaming(stack, quick ? 2_500 : 10_000, 4096, 5_000);
      const burst200 = await streaming(stack, quick ? 5_000 : 20_000, 200);
      const burst4k = await streaming(stack, quick ? 1_500 : 5_000, 4096);
      return { firstLine: first, stream200: small, stream4k: large, burst200, burst4k };
    });
    return { ...value, peakRssMiB: peakMiB };
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  log(`switchyard bench${quick ? ' (quick)' : ''}: ${SECONDS} s per load`);
  const seeds: { tasks: number; dir: string }[] = [];
  for (const n of HISTORY) seeds.push({ tasks: n, dir: await historyDir(n, n >= 1_000_000 ? 5 : 50, log) });
  log('admission on an empty database …');
  const empty = await admission(undefined, true);
  const history = [];
  for (const s of seeds) {
    log(`admission with ${s.tasks} tasks of history …`);
    history.push({ tasks: s.tasks, ...(await admission(s.dir, false)) });
  }
  log('first line and streaming through the agent …');
  const agent = await pipeline();
  const fleet: (FleetResult | { agents: number; error: string })[] = [];
  for (const size of FLEETS) {
    log(`a fleet of ${size} simulated agents …`);
    fleet.push(await runFleet(size, { loadSeconds: quick ? 5 : 30, settleSeconds: quick ? 5 : 25, workMs: 200 }).catch((err: Error) => ({ agents: size, error: err.message })));
  }
  const results: Results = {
    date: new Date().toISOString(),
    quick,
    seconds: SECONDS,
    environment: environment(),
    empty,
    history,
    agent,
    fleet,
    goals: [],
    wallSec: 0,
  };
  results.goals = evaluate(results);
  results.wallSec = Math.round((Date.now() - started) / 1000);
  writeFileSync(join(OUT ?? join(REPO, 'bench'), 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(OUT ?? REPO, 'BENCHMARKS.md'), renderMarkdown(results));
  for (const g of results.goals) log(`${g.met ? 'met ' : 'MISS'}  ${g.measure}: ${g.value} (goal ${g.goal}${g.ceiling ? `; ceiling ${g.ceiling}` : ''})`);
  log(`wrote results.json and BENCHMARKS.md${OUT ? ` to ${OUT}` : ''} in ${results.wallSec} s`);
}

main().then(
  () => process.exit(0),
  (err) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
