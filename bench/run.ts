/**
 * Switchyard benchmarks: real redis-server, real SQLite file, the real API over HTTP, the real
 * agent in tmux, claude-sim in place of claude. Prints a table and writes bench/results/latest.json.
 *
 *   npm run bench            # defaults
 *   BENCH_TASKS=100 BENCH_SLOTS=8 BENCH_LINES=50000 npm run bench
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { TaskView } from '@switchyard/core';
import { startApi } from '../test/support/api.ts';
import { cleanupAgentDir, REPO, startAgent, waitFor } from '../test/support/agent.ts';
import { startRedis } from '../test/support/redis.ts';

const TASKS = Number(process.env.BENCH_TASKS ?? 40);
const SLOTS = Number(process.env.BENCH_SLOTS ?? 4);
const LINES = Number(process.env.BENCH_LINES ?? 20_000);
const LINE_BYTES = Number(process.env.BENCH_LINE_BYTES ?? 200);

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const api = await startApi({ redisUrl: redis.url });
  await api.call('/v1/workspaces/local', { method: 'PATCH', json: { maxConcurrency: SLOTS } });
  const agent = startAgent({ url: api.url, tokenFile: api.agentTokenFile, slots: SLOTS });
  const get = async (id: string) => (await (await api.call(`/v1/tasks/${id}`)).json()) as TaskView;
  try {
    await waitFor(async () => ((await (await api.call('/v1/workspaces/local')).json()) as { ready: boolean }).ready, 30_000, 'agent ready');

    // 1. Dispatch latency with an idle agent: create → the turn started in tmux, one at a time.
    const idle: number[] = [];
    for (let i = 0; i < 10; i++) {
      const at = Date.now();
      const res = await api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt: `@sim say idle ${i}` } });
      const { id } = (await res.json()) as TaskView;
      const t = await waitFor(async () => {
        const v = await get(id);
        return v.status === 'completed' ? v : null;
      }, 60_000, 'idle task');
      idle.push(Date.parse(t.startedAt!) - at);
    }

    // 2. Throughput of short tasks queued all at once (create→start includes queueing).
    const t0 = Date.now();
    const created: { id: string; at: number }[] = [];
    for (let i = 0; i < TASKS; i++) {
      const res = await api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt: `@sim say task ${i}` } });
      created.push({ id: ((await res.json()) as TaskView).id, at: Date.now() });
    }
    const done = await waitFor(async () => {
      const all = await Promise.all(created.map((c) => get(c.id)));
      return all.every((t) => t.status === 'completed') ? all : null;
    }, 15 * 60_000, 'all tasks to complete');
    const wall = (Date.now() - t0) / 1000;
    const startLatency = done.map((t, i) => Date.parse(t.startedAt!) - created[i]!.at);
    const endToEnd = done.map((t, i) => Date.parse(t.finishedAt!) - created[i]!.at);

    // 3. Output ingestion: one task writing many lines, every line stored once and in order.
    const big = (await (await api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt: `@sim lines ${LINES} ${LINE_BYTES}` } })).json()) as TaskView;
    const bigStart = Date.now();
    const bigDone = await waitFor(async () => {
      const t = await get(big.id);
      return ['completed', 'failed'].includes(t.status) ? t : null;
    }, 15 * 60_000, 'big task');
    const ingestSec = (Date.parse(bigDone.finishedAt!) - Date.parse(bigDone.startedAt!)) / 1000;

    const results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      params: { tasks: TASKS, slots: SLOTS, lines: LINES, lineBytes: LINE_BYTES },
      idleDispatchMs: { p50: pct(idle, 50), max: Math.max(...idle) },
      shortTasks: {
        wallSec: +wall.toFixed(2),
        tasksPerMin: +((TASKS / wall) * 60).toFixed(1),
        createToStartMs: { p50: pct(startLatency, 50), p95: pct(startLatency, 95) },
        createToFinishMs: { p50: pct(endToEnd, 50), p95: pct(endToEnd, 95) },
      },
      output: {
        lines: bigDone.lastSeq,
        status: bigDone.status,
        runToFinishSec: +ingestSec.toFixed(2),
        linesPerSec: Math.round(bigDone.lastSeq / ingestSec),
        wallSec: +((Date.now() - bigStart) / 1000).toFixed(2),
      },
    };
    console.table({
      'idle create→start p50 ms': results.idleDispatchMs.p50,
      'idle create→start max ms': results.idleDispatchMs.max,
      'short tasks/min': results.shortTasks.tasksPerMin,
      'create→start p50 ms': results.shortTasks.createToStartMs.p50,
      'create→start p95 ms': results.shortTasks.createToStartMs.p95,
      'create→finish p50 ms': results.shortTasks.createToFinishMs.p50,
      'create→finish p95 ms': results.shortTasks.createToFinishMs.p95,
      'output lines stored': results.output.lines,
      'output lines/s (run→finish)': results.output.linesPerSec,
    });
    const dir = join(REPO, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await agent.stop();
    cleanupAgentDir(agent.dir);
    await api.stop();
    await redis.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
