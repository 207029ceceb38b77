/** The benchmark's measures, each against a running stack. */
import type { TaskView } from '@switchyard/core';
import { waitFor } from '../../test/support/agent.ts';
import { percentile, runLoad, type LoadResult } from './load.ts';
import { readSse } from './sse.ts';
import type { Stack } from './stack.ts';

/** Samples the API's RSS while `fn` runs; returns fn's value and the peak in MiB. */
export async function withRssPeak<T>(stack: Stack, fn: () => Promise<T>): Promise<{ value: T; peakMiB: number }> {
  let peak = stack.apiRssMiB();
  const timer = setInterval(() => (peak = Math.max(peak, stack.apiRssMiB())), 200);
  try {
    const value = await fn();
    peak = Math.max(peak, stack.apiRssMiB());
    return { value, peakMiB: peak };
  } finally {
    clearInterval(timer);
  }
}

const auth = (stack: Stack) => ({ authorization: `Bearer ${stack.api.adminToken}` });

/** `GET /healthz`, the ceiling; `cpuUs` is the API's CPU time per request. */
export function healthz(stack: Stack, clients: number, seconds: number): Promise<LoadResult & { cpuUs: number }> {
  return withCpu(stack, () => runLoad({ url: `${stack.api.url}/healthz`, clients, seconds }));
}

async function withCpu(stack: Stack, load: () => Promise<LoadResult>): Promise<LoadResult & { cpuUs: number }> {
  const cpu0 = stack.apiCpuMs();
  const result = await load();
  return { ...result, cpuUs: Math.round(((stack.apiCpuMs() - cpu0) * 1000) / result.requests) };
}

export function me(stack: Stack, clients: number, seconds: number): Promise<LoadResult> {
  return runLoad({ url: `${stack.api.url}/v1/me`, headers: auth(stack), clients, seconds });
}

/**
 * `POST /v1/tasks` on the paused workspace `local`: admission, storage and the queue, no dispatch.
 * `cpuUs` is the API's CPU time per create, which a busy machine disturbs less than the rate.
 */
export async function creates(stack: Stack, clients: number, seconds: number): Promise<LoadResult & { cpuUs: number }> {
  const run = Math.random().toString(36).slice(2, 8);
  return withCpu(stack, () =>
    runLoad({
      url: `${stack.api.url}/v1/tasks`,
      method: 'POST',
      headers: auth(stack),
      body: (i) => JSON.stringify({ workspace: 'local', workdir: '/tmp', prompt: `bench ${run} task ${i}` }),
      clients,
      seconds,
    }),
  );
}

/** One client's latency of a read, p50 and p99 in ms. */
export interface ReadLatency {
  p50Ms: number;
  p99Ms: number;
}

/**
 * The reads whose cost could grow with history, one client each for `seconds`: the newest page
 * of tasks, the newest page of one status, and a search for a word every task holds ("task" is
 * in each of the fixture's results and in each benchmark prompt), as the dashboard makes them.
 */
export async function reads(stack: Stack, seconds: number): Promise<{ list: ReadLatency; byStatus: ReadLatency; search: ReadLatency }> {
  const read = async (path: string): Promise<ReadLatency> => {
    const r = await runLoad({ url: `${stack.api.url}${path}`, headers: auth(stack), clients: 1, seconds });
    if (Object.keys(r.statuses).some((s) => s !== '200')) throw new Error(`${path}: ${JSON.stringify(r.statuses)}`);
    return { p50Ms: r.p50Ms, p99Ms: r.p99Ms };
  };
  return {
    list: await read('/v1/tasks?limit=50'),
    byStatus: await read('/v1/tasks?status=completed&limit=50'),
    search: await read('/v1/search/tasks?q=task&limit=50'),
  };
}

export async function pause(stack: Stack, paused: boolean): Promise<void> {
  const res = await stack.api.call('/v1/workspaces/local', { method: 'PATCH', json: { paused } });
  if (!res.ok) throw new Error(`pausing local: ${res.status} ${await res.text()}`);
}

async function createTask(stack: Stack, prompt: string): Promise<string> {
  const res = await stack.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt } });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
  return ((await res.json()) as TaskView).id;
}

async function completed(stack: Stack, id: string): Promise<TaskView> {
  return waitFor(async () => {
    const t = (await (await stack.api.call(`/v1/tasks/${id}`)).json()) as TaskView;
    return ['completed', 'failed', 'killed'].includes(t.status) ? t : null;
  }, 300_000, `task ${id} to finish`);
}

/** create → the first output line on the task's SSE stream, one task at a time on an idle agent. */
export async function firstLine(stack: Stack, tasks: number): Promise<{ p50Ms: number; p99Ms: number; samples: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < tasks; i++) {
    const at = performance.now();
    const id = await createTask(stack, `first line ${i}`);
    let first = NaN;
    await readSse(`${stack.api.url}/v1/tasks/${id}/events`, stack.api.adminToken, (e) => {
      if (e.event === 'line' && Number.isNaN(first)) first = performance.now() - at;
    });
    samples.push(Math.round(first * 10) / 10);
    const t = await completed(stack, id);
    if (t.status !== 'completed') throw new Error(`first-line task ended ${t.status}: ${JSON.stringify(t.error)}`);
    // Idle again: the agent has reported the turn before the next create.
    await new Promise((r) => setTimeout(r, 100));
  }
  return { p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), samples };
}

export interface StreamResult {
  lines: number;
  lineBytes: number;
  /** The writer's pace in lines/s, or null: as fast as the pipe takes them. */
  paceLinesPerSec: number | null;
  linesPerSec: number;
  writeToSseP50Ms: number;
  writeToSseP99Ms: number;
  lost: number;
  doubled: number;
  stored: number;
}

/**
 * One task writing `lines` timestamped lines of `bytes` (paced at `pace` lines/s, or as fast as it
 * can); every one must arrive on SSE once, in order, and be stored.
 */
export async function streaming(stack: Stack, lines: number, bytes: number, pace: number | null = null): Promise<StreamResult> {
  const id = await createTask(stack, `stream ${lines} ${bytes}${pace ? ` ${pace}` : ''}`);
  const seen = new Map<number, number>();
  const latencies: number[] = [];
  let firstWrite = Infinity;
  let lastArrival = 0;
  let lastSeq = 0;
  let outOfOrder = 0;
  await readSse(`${stack.api.url}/v1/tasks/${id}/events`, stack.api.adminToken, (e) => {
    if (e.event !== 'line') return;
    const { seq, line } = JSON.parse(e.data) as { seq: number; line: string };
    if (seq <= lastSeq) outOfOrder++;
    lastSeq = Math.max(lastSeq, seq);
    const parsed = JSON.parse(line) as { ts?: number; i?: number };
    if (typeof parsed.ts !== 'number' || typeof parsed.i !== 'number') return;
    const now = Date.now();
    firstWrite = Math.min(firstWrite, parsed.ts);
    lastArrival = now;
    latencies.push(now - parsed.ts);
    seen.set(parsed.i, (seen.get(parsed.i) ?? 0) + 1);
  });
  const t = await completed(stack, id);
  if (t.status !== 'completed') throw new Error(`stream task ended ${t.status}: ${JSON.stringify(t.error)}`);
  let doubled = outOfOrder;
  for (const n of seen.values()) doubled += n - 1;
  return {
    lines,
    lineBytes: bytes,
    paceLinesPerSec: pace,
    linesPerSec: Math.round(lines / ((lastArrival - firstWrite) / 1000)),
    writeToSseP50Ms: percentile(latencies, 50),
    writeToSseP99Ms: percentile(latencies, 99),
    lost: lines - seen.size,
    doubled,
    stored: t.lastSeq ?? 0,
  };
}
