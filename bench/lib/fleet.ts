/**
 * A fleet scenario: N simulated agents, each its own workspace, speaking the real agent protocol
 * over real HTTP to the API as its own process, while tasks are created at 20/s; measured idle,
 * then under that load. Used by `npm run bench` and `npm run bench:fleet`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { createFleetTask, SimFleet } from '../../test/fleet/sim-fleet.ts';
import { percentile } from './load.ts';
import { rssMiB, startStack, type Stack } from './stack.ts';

export const RATE_PER_SEC = 20;
const IDLE_SECONDS = 10;
const TEAM = 'fleet';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** CPU seconds (user + system) the process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// /healthz is probed from a process of its own: the driver's event loop, busy with thousands of
// simulated agents, would add its own delays to what it measures. Its first request is not
// counted: in a fresh Node process it loads and compiles fetch itself (30-40 ms here), which
// was the p99 of every window.
const PROBE = `
const url = process.argv[1], until = Date.now() + Number(process.argv[2]);
const lat = []; let errors = 0;
(async () => {
  await fetch(url).then((r) => r.arrayBuffer()).catch(() => undefined);
  while (Date.now() < until) {
    const t = performance.now();
    try { const r = await fetch(url, { signal: AbortSignal.timeout(10000) }); await r.arrayBuffer(); if (r.ok) lat.push(performance.now() - t); else errors++; } catch { errors++; }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stdout.write(JSON.stringify({ lat, errors }));
})();`;

function probeHealthz(url: string, ms: number): Promise<{ lat: number[]; errors: number }> {
  const child = spawn(process.execPath, ['-e', PROBE, `${url}/healthz`, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve) => child.on('exit', () => resolve(out ? JSON.parse(out) : { lat: [], errors: -1 })));
}

/**
 * Samples the API while `during` runs: CPU % of one core, peak RSS, /healthz latencies; and the
 * driver's own CPU, since one process plays the whole fleet.
 */
async function observe<T>(stack: Stack, during: () => Promise<T>) {
  const pid = stack.api.proc.pid!;
  const cpu0 = cpuSeconds(pid);
  const driver0 = process.cpuUsage();
  const t0 = Date.now();
  let rss = rssMiB(pid);
  let done = false;
  const sampler = (async () => {
    while (!done) {
      rss = Math.max(rss, rssMiB(pid));
      await sleep(200);
    }
  })();
  const probes: Promise<{ lat: number[]; errors: number }>[] = [];
  const prober = (async () => {
    // Probe in 5 s windows until `during` ends.
    while (!done) {
      const p = probeHealthz(stack.api.url, 5_000);
      probes.push(p);
      await p;
    }
  })();
  const value = await during();
  done = true;
  const seconds = (Date.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  const driver = process.cpuUsage(driver0);
  await Promise.all([sampler, prober]);
  const healthz = (await Promise.all(probes)).reduce((a, b) => ({ lat: [...a.lat, ...b.lat], errors: a.errors + b.errors }), { lat: [], errors: 0 });
  return {
    value,
    cpuPct: round((cpu / seconds) * 100),
    driverCpuPct: round(((driver.user + driver.system) / 1e6 / seconds) * 100),
    rssMiB: rss,
    healthzP99Ms: round(percentile(healthz.lat, 99)),
    healthzErrors: healthz.errors,
  };
}

/** Creates tasks at RATE_PER_SEC for `loadSeconds`, then waits (up to a minute) for them to end. */
async function load(stack: Stack, fleet: SimFleet, loadSeconds: number) {
  const created: { id: string; createdAt: number; answeredAt: number }[] = [];
  let createErrors = 0;
  let lastCreateError: string | null = null;
  const creates: Promise<void>[] = [];
  const total = loadSeconds * RATE_PER_SEC;
  const start = Date.now();
  for (let i = 0; i < total; i++) {
    await sleep(Math.max(0, start + (i * 1000) / RATE_PER_SEC - Date.now()));
    creates.push(createFleetTask(stack.api, fleet, TEAM, i).then((t) => void created.push(t), (err: Error) => {
      createErrors += 1;
      lastCreateError = err.message;
    }));
  }
  await Promise.all(creates);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && created.some((t) => !fleet.stats.completedAt.has(t.id))) await sleep(250);
  const since = (at: Map<string, number>) =>
    created.flatMap((t) => {
      const end = at.get(t.id);
      return end === undefined ? [] : [end - t.createdAt];
    });
  const latencies = since(fleet.stats.completedAt);
  const toLease = since(fleet.stats.leasedAt);
  const createMs = created.map((t) => t.answeredAt - t.createdAt);
  const pcts = (xs: number[]) => ({ p50: Math.round(percentile(xs, 50)), p99: Math.round(percentile(xs, 99)) });
  return { created: created.length, createErrors, lastCreateError, completed: latencies.length, done: pcts(latencies), leased: pcts(toLease), create: pcts(createMs) };
}

/** Redis's own view: its memory, connections open and opened since it started. */
async function redisInfo(url: string) {
  const probe = new Redis(url);
  const info = await probe.info();
  await probe.quit();
  const n = (key: string) => Number(new RegExp(`${key}:(\\d+)`).exec(info)?.[1] ?? NaN);
  return { rssMiB: Math.round(n('used_memory_rss') / 2 ** 20), open: n('connected_clients'), opened: n('total_connections_received') };
}

/** The heap cap the README advises for a fleet: 128 MiB and 0.1 MiB per workspace. */
const heapFor = (size: number) => Math.max(160, 128 + Math.ceil(size / 10));

export interface FleetOptions {
  /** Seconds of creating tasks at RATE_PER_SEC. */
  loadSeconds: number;
  /** Seconds between the fleet's first syncs and the idle measure (default 25: one whole wait). */
  settleSeconds?: number;
  /** How long each simulated turn runs. */
  workMs: number;
}

export type FleetResult = Awaited<ReturnType<typeof runFleet>>;

/** One fleet of `size` agents on a fresh stack: idle, then under load. */
export async function runFleet(size: number, opts: FleetOptions) {
  const stack = await startStack({ heapMB: heapFor(size) });
  try {
    const setupStart = Date.now();
    const fleet = await SimFleet.create(stack.api, { team: TEAM, size, poolEvery: 10, workMs: opts.workMs });
    fleet.start();
    const setupSec = round((Date.now() - setupStart) / 1000);
    // Idle means every agent has made its first sync (its first look at its queues) and waits,
    // and, by default, that their first waits have ended: agents started together come back
    // together at first, spread out after (see jitteredWait in the sync route).
    while (fleet.stats.started < size) await sleep(100);
    await sleep((opts.settleSeconds ?? 25) * 1000);
    const idle = await observe(stack, () => sleep(IDLE_SECONDS * 1000));
    const syncsBefore = fleet.stats.syncs;
    const redisBefore = await redisInfo(stack.redis.url);
    const busy = await observe(stack, () => load(stack, fleet, opts.loadSeconds));
    const redisAfter = await redisInfo(stack.redis.url);
    const ranTwice = [...fleet.stats.leases.values()].filter((n) => n > 1).length;
    await fleet.stop();
    const r = busy.value;
    return {
      agents: size,
      // This machine's load (2 cores): what else ran beside the benchmark bounds its figures.
      loadAvg1m: round(loadavg()[0]!, 2),
      setupSec,
      tasks: { created: r.created, completed: r.completed, createErrors: r.createErrors, lastCreateError: r.lastCreateError, ranTwice },
      createToCompletedMs: r.done,
      createToLeasedMs: r.leased,
      createAnsweredMs: r.create,
      syncs: { answered: fleet.stats.syncs, duringLoad: fleet.stats.syncs - syncsBefore, lateByMoreThan1s: fleet.stats.lateSyncs, errors: fleet.stats.errors, lastError: fleet.stats.lastError },
      api: {
        cpuPctIdle: idle.cpuPct,
        cpuPctLoad: busy.cpuPct,
        rssMiBPeak: Math.max(idle.rssMiB, busy.rssMiB),
        healthzP99MsIdle: idle.healthzP99Ms,
        healthzP99MsLoad: busy.healthzP99Ms,
        healthzErrors: idle.healthzErrors + busy.healthzErrors,
      },
      driver: { cpuPctIdle: idle.driverCpuPct, cpuPctLoad: busy.driverCpuPct },
      redis: { rssMiB: redisAfter.rssMiB, connectionsOpen: redisAfter.open, connectionsOpenedDuringLoad: redisAfter.opened - redisBefore.opened - 1 },
    };
  } finally {
    await stack.stop();
  }
}
