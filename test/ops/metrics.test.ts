import parsePrometheusTextFormat, { type PromFamily, type PromSample } from 'parse-prometheus-text-format';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { cleanupAgentDir, REPO, startAgent, waitFor, type TestAgent } from '../support/agent.ts';

const ctx = useApi();
let agent: TestAgent;

beforeAll(async () => {
  agent = startAgent({ url: ctx.api.url, tokenFile: ctx.api.agentTokenFile });
  await waitFor(async () => ((await (await ctx.api.call('/v1/workspaces/local')).json()) as { ready: boolean }).ready, 30_000, 'workspace local to be ready');
});

afterAll(async () => {
  await agent?.stop();
  if (agent) cleanupAgentDir(agent.dir);
});

interface Scrape {
  text: string;
  /** Every family as exposed, with its declared type. */
  families: Map<string, PromFamily>;
  /** Every series by sample name: a histogram as its `_bucket`, `_sum` and `_count` series. */
  series: Map<string, PromSample[]>;
}

/** Scrapes `/metrics` as Prometheus does: no token, and parsed by a parser that is not ours. */
async function scrape(): Promise<Scrape> {
  const res = await fetch(`${ctx.api.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  // The parser folds the series of a labelled histogram into one; read without the histograms'
  // TYPE lines, each of their `_bucket`, `_sum` and `_count` comes out with all its labels.
  const untyped = text.replace(/^# TYPE \S+ histogram$/gm, '');
  const series = new Map<string, PromSample[]>();
  for (const f of parsePrometheusTextFormat(untyped)) series.set(f.name, [...(series.get(f.name) ?? []), ...f.metrics]);
  return { text, families, series };
}

/** The series of `name`, checked to be exposed as a `type`; a histogram's `_count` series. */
function family(s: Scrape, name: string, type: PromFamily['type']): PromSample[] {
  const f = s.families.get(name);
  expect(f, name).toBeDefined();
  expect(f!.type, name).toBe(type);
  return s.series.get(type === 'HISTOGRAM' ? `${name}_count` : name) ?? [];
}

const sampleOf = (samples: PromSample[], labels: Record<string, string>) => samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));

describe('/metrics after a task ran on the real agent', () => {
  let task: TaskView;

  beforeAll(async () => {
    const res = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt: '@sim say metrics are counted\n@sim tool Bash' } });
    expect(res.status).toBe(201);
    const created = (await res.json()) as TaskView;
    task = await waitFor(async () => {
      const t = (await (await ctx.api.call(`/v1/tasks/${created.id}`)).json()) as TaskView;
      return t.status === 'completed' ? t : null;
    }, 45_000, 'the task to complete');
    expect((await ctx.api.call(`/v1/tasks/${task.id}/output`)).status).toBe(200);
  }, 60_000);

  it('times requests by route template and status, with no task id anywhere', async () => {
    const scraped = await scrape();
    const { text } = scraped;
    const http = family(scraped, 'switchyard_http_request_duration_seconds', 'HISTOGRAM');
    const read = sampleOf(http, { method: 'GET', route: '/v1/tasks/:id', status: '200' });
    expect(Number(read?.value)).toBeGreaterThanOrEqual(1);
    expect(sampleOf(http, { method: 'POST', route: '/v1/tasks', status: '201' })?.value).toBe('1');
    expect(sampleOf(http, { route: '/v1/tasks/:id/output' })).toBeDefined();
    // The agent's own calls are timed by their templates too.
    expect(http.some((s) => s.labels?.route?.startsWith('/agent/v1/'))).toBe(true);
    expect(text).not.toContain(task.id);
    expect(text).not.toMatch(/tsk_/);
  });

  it('counts the task from create to dispatch to start to its first line, and its output by workspace', async () => {
    const scraped = await scrape();
    for (const name of ['switchyard_task_create_to_dispatch_seconds', 'switchyard_task_dispatch_to_start_seconds', 'switchyard_task_start_to_first_output_seconds']) {
      const s = sampleOf(family(scraped, name, 'HISTOGRAM'), { workspace: 'local' });
      expect(Number(s?.value), name).toBeGreaterThanOrEqual(1);
    }
    const lines = sampleOf(family(scraped, 'switchyard_output_lines_ingested_total', 'COUNTER'), { workspace: 'local' });
    expect(Number(lines?.value)).toBe(task.lastSeq);
    const output = await (await ctx.api.call(`/v1/tasks/${task.id}/output`)).text();
    const bytes = sampleOf(family(scraped, 'switchyard_output_bytes_ingested_total', 'COUNTER'), { workspace: 'local' });
    // The stored lines, without the newlines that join them in the NDJSON download.
    expect(Number(bytes?.value)).toBe(Buffer.byteLength(output) - task.lastSeq);
  });

  it('shows the fleet: agents online and queue depth by workspace, tasks by status', async () => {
    const scraped = await scrape();
    expect(sampleOf(family(scraped, 'switchyard_agents_online', 'GAUGE'), { workspace: 'local' })?.value).toBe('1');
    expect(sampleOf(family(scraped, 'switchyard_queue_depth', 'GAUGE'), { workspace: 'local' })?.value).toBe('0');
    expect(Number(sampleOf(family(scraped, 'switchyard_tasks', 'GAUGE'), { status: 'completed' })?.value)).toBeGreaterThanOrEqual(1);
    family(scraped, 'switchyard_rate_limit_events_total', 'COUNTER');
  });

  it('carries the process and Node defaults', async () => {
    const scraped = await scrape();
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(scraped.families.has(name), name).toBe(true);
    }
  });

  it('has every series the Grafana dashboard in deploy/grafana queries', async () => {
    const dashboard = JSON.parse(readFileSync(join(REPO, 'deploy', 'grafana', 'switchyard.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    const names = new Set(exprs.flatMap((e) => e.match(/\b(switchyard|process|nodejs)_[a-z0-9_]+/g) ?? []));
    expect(names.size).toBeGreaterThan(10);
    const { series } = await scrape();
    expect([...names].filter((n) => !series.has(n))).toEqual([]);
  });
});

// Last: it leaves workspace local rate-limited for the rest of the file.
describe('a rate limit', () => {
  it('is counted against its workspace', async () => {
    const res = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt: '@sim rate_limit 30\n@sim say ok' } });
    const { id } = (await res.json()) as TaskView;
    await waitFor(async () => ((await (await ctx.api.call(`/v1/tasks/${id}`)).json()) as TaskView).status === 'rate_limited', 45_000, 'the task to be rate limited');
    const counted = sampleOf(family(await scrape(), 'switchyard_rate_limit_events_total', 'COUNTER'), { workspace: 'local' });
    expect(Number(counted?.value)).toBeGreaterThanOrEqual(1);
  });
});
