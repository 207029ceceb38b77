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
import { median } from './lib/load.ts';
import { historyDir } from './lib/history.ts';
import { creates, firstLine, healthz, me, pause, reads, streaming, withRssPeak } from './lib/scenarios.ts';
import { startStack, type Stack } from './lib/stack.ts';
import { environment, evaluate, renderMarkdown, type Results } from './report.ts';

const quick = process.argv.includes('--quick');
const SECONDS = Number(process.env.BENCH_SECONDS ?? (quick ? 2 : 8));
const HISTORY = quick ? [100_000] : [100_000, 1_000_000];
const FLEETS = quick ? [500] : [500, 2_000, 10_000];
const STUB = join(REPO, 'bench', 'stub', 'claude');
const log = (s: string) => process.stderr.write(`${s}\n`);
/** Where results.json and BENCHMARKS.md go: the repo, unless BENCH_OUT names a directory (the test's). */
const OUT = process.env.BENCH_OUT;

/**
 * Runs of each load: a busy moment of this shared machine only ever slows a measure (±15–20 %
 * between runs of the same code here), so each figure is the best of several runs taken apart,
 * all printed, and neither a low ceiling nor one slow run decides a ratio.
 */
const ROUNDS = quick ? 2 : 3;

/** The fastest of several runs of one load, with every run's rate. */
function best<T extends { perSec: number }>(runs: T[]): T & { runsPerSec: number[] } {
  const top = runs.reduce((a, b) => (b.perSec > a.perSec ? b : a));
  return { ...top, runsPerSec: runs.map((r) => r.perSec) };
}

/**
 * The local workspace paused (so nothing dispatches), then a warm-up: V8 compiles the hot paths
 * and SQLite fills its cache before anything is measured.
 */
async function pausedAndWarm(stack: Stack): Promise<void> {
  await pause(stack, true);
  await healthz(stack, 64, 1);
  await creates(stack, 64, 1);
}

/** Admission on an empty database: creates at 64 and 1 clients beside /healthz, and /v1/me. */
async function admission() {
  const stack = await startStack();
  try {
    await pausedAndWarm(stack);
    const { value, peakMiB } = await withRssPeak(stack, async () => {
      const healthz1 = await healthz(stack, 1, SECONDS);
      const me64 = await me(stack, 64, SECONDS);
      const runs = { h64: [] as LoadRun[], c64: [] as LoadRun[], c1: [] as LoadRun[] };
      for (let i = 0; i < ROUNDS; i++) {
        runs.h64.push(await healthz(stack, 64, SECONDS));
        runs.c64.push(await creates(stack, 64, SECONDS));
        runs.c1.push(await creates(stack, 1, SECONDS));
      }
      return { healthz64: best(runs.h64), healthz1, create64: best(runs.c64), create1: best(runs.c1), me64 };
    });
    return { ...value, idleRssMiB: stack.apiRssMiB(), peakRssMiB: peakMiB };
  } finally {
    await stack.stop();
  }
}

type LoadRun = Awaited<ReturnType<typeof creates>>;

/**
 * Creates on a database with `tasks` of history against an empty one, both stacks up at once and
 * their loads taken in turn (empty, history, history, empty, `ROUNDS` times, half-length loads).
 * The ratio is the median over the pairs of runs taken back to back (`paired`): measured
 * minutes apart, this machine's drift is larger than the 10 % the goal allows (the same code put
 * a million tasks at 87 % of empty in one report, and at 107 and 120 % in two runs of the
 * report's sequence, one in each order), and the best run of each side is decided by whichever
 * side happened on the quietest moment.
 */
async function historyAgainstEmpty(tasks: number, seedDir: string) {
  const empty = await startStack();
  const hist = await startStack({ seedDir }).catch(async (err: unknown) => {
    await empty.stop();
    throw err;
  });
  try {
    for (const s of [empty, hist]) await pausedAndWarm(s);
    const runs = new Map([empty, hist].map((s) => [s, { c64: [] as LoadRun[], c1: [] as LoadRun[] }]));
    const { peakMiB } = await withRssPeak(hist, async () => {
      for (let i = 0; i < ROUNDS; i++) {
        for (const s of [empty, hist, hist, empty]) {
          runs.get(s)!.c64.push(await creates(s, 64, SECONDS / 2));
          runs.get(s)!.c1.push(await creates(s, 1, SECONDS / 2));
        }
      }
    });
    // After the creates, so the empty side is read with what its loads left in it.
    const readsOf = { empty: await reads(empty, SECONDS / 4), history: await reads(hist, SECONDS / 4) };
    const [e, h] = [runs.get(empty)!, runs.get(hist)!];
    // Runs i of both sides were taken back to back: rate over rate at 64 clients, and the
    // empty database's one-client p50 over the history's (both ≥ 0.9 when within 10 %).
    const paired = {
      create64: median(h.c64.map((run, i) => run.perSec / e.c64[i]!.perSec)),
      create1: median(h.c1.map((run, i) => e.c1[i]!.p50Ms / run.p50Ms)),
    };
    return {
      tasks,
      create64: best(h.c64),
      create1: best(h.c1),
      baseline: { create64: best(e.c64), create1: best(e.c1) },
      paired,
      reads: readsOf,
      idleRssMiB: hist.apiRssMiB(),
      peakRssMiB: peakMiB,
    };
  } finally {
    await hist.stop();
    await empty.stop();
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
  const empty = await admission();
  const history = [];
  for (const s of seeds) {
    log(`admission with ${s.tasks} tasks of history, in turn with an empty database …`);
    history.push(await historyAgainstEmpty(s.tasks, s.dir));
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
