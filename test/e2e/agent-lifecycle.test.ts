import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { startApi, type TestApi } from '../support/api.ts';
import { agentTmuxSessions, cleanupAgentDir, startAgent, waitFor, type TestAgent } from '../support/agent.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';

let redis: RedisServer;
let api: TestApi;
let dataDir: string;
const agents: TestAgent[] = [];

beforeAll(async () => {
  redis = await startRedis();
  dataDir = mkdtempSync(join(tmpdir(), 'sy-e2e-'));
  api = await startApi({ redisUrl: redis.url, dataDir });
});
afterEach(async () => {
  for (const a of agents.splice(0)) {
    await a.stop();
    cleanupAgentDir(a.dir);
  }
});
afterAll(async () => {
  await api?.stop();
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function agent(opts: { dir?: string; env?: Record<string, string> } = {}): TestAgent {
  const a = startAgent({ url: api.url, tokenFile: api.agentTokenFile, ...opts });
  agents.push(a);
  return a;
}

async function create(body: Record<string, unknown>): Promise<TaskView> {
  const res = await api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', ...body } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as TaskView;
}
const get = async (id: string) => (await (await api.call(`/v1/tasks/${id}`)).json()) as TaskView;
/** Waits for the task to reach one of `statuses`; a timeout tells where it stood and what the agents said. */
async function until(id: string, statuses: string[], ms = 45_000): Promise<TaskView> {
  let last: TaskView | undefined;
  try {
    return await waitFor(async () => {
      last = await get(id);
      return statuses.includes(last.status) ? last : null;
    }, ms, `task ${id} to be ${statuses.join('|')}`);
  } catch (err) {
    const said = agents.map((a) => a.output().split('\n').slice(-30).join('\n')).join('\n---\n');
    throw new Error(`${(err as Error).message}\nlast seen: ${JSON.stringify(last)}\nagents said:\n${said}`);
  }
}

/** Every stored line, with a check that seqs are 1..n with no gap or duplicate. */
async function storedLines(id: string): Promise<string[]> {
  const seqs: number[] = [];
  let after = 0;
  for (;;) {
    const page = (await (await api.call(`/v1/tasks/${id}/events?after=${after}&limit=5000`)).json()) as { events: { seq: number; line: string }[]; nextAfter: number };
    if (page.events.length === 0) break;
    seqs.push(...page.events.map((e) => e.seq));
    after = page.nextAfter;
  }
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  const raw = await (await api.call(`/v1/tasks/${id}/output`)).text();
  return raw.trimEnd().split('\n');
}

/** Sessions on the private tmux servers of every agent this file started. */
function tmuxSessions(): string[] {
  return agents.flatMap((a) => agentTmuxSessions(a.dir));
}

function processesMatching(text: string): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(text) && !l.includes('ps -eo'));
}

const ready = () =>
  waitFor(async () => ((await (await api.call('/v1/workspaces/local')).json()) as { ready: boolean }).ready, 30_000, 'workspace ready');

describe('the agent never loses a line', () => {
  it('re-adopts a live tmux session after kill -9 and stores every line exactly once, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-agent-'));
    const first = agent({ dir });
    await ready();
    const t = await create({ prompt: '@sim lines 300 60\n@sim sleep 2\n@sim lines 300 60\n@sim say the end' });
    await waitFor(async () => (await get(t.id)).lastSeq > 50, 30_000, 'output flowing');
    await first.crash();
    // The turn goes on in tmux while no agent runs.
    expect(agentTmuxSessions(dir)).toContain(`sy-${t.id}`);
    agent({ dir });
    const done = await until(t.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    const lines = await storedLines(t.id);
    expect(lines).toHaveLength(done.lastSeq);
    const texts = lines.filter((l) => l.includes('"line ')).map((l) => /line (\d+) of/.exec(l)![1]);
    expect(texts).toHaveLength(600);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('stores a long transcript completely: every line claude wrote, in order', async () => {
    agent();
    await ready();
    const t = await create({ prompt: '@sim lines 5000 120\n@sim say done' });
    const done = await until(t.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    const lines = await storedLines(t.id);
    expect(lines).toHaveLength(5003);
    const numbers = lines.filter((l) => l.includes('"line ')).map((l) => Number(/line (\d+) of/.exec(l)![1]));
    expect(numbers).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
  });
  // The API killed mid-task: test/e2e/api-crash.test.ts, with the API as its own process.
});

describe('follow-up turns', () => {
  it('queues messages behind a running turn and runs them in order with --resume; seq continues', async () => {
    agent();
    await ready();
    const t = await create({ prompt: '@sim say first\n@sim sleep 1' });
    await until(t.id, ['running']);
    await api.call(`/v1/tasks/${t.id}/messages`, { method: 'POST', json: { prompt: '@sim say second' } });
    await api.call(`/v1/tasks/${t.id}/messages`, { method: 'POST', json: { prompt: '@sim say third' } });
    const done = await waitFor(async () => {
      const v = await get(t.id);
      return v.turns.length === 3 && v.turns.every((x) => x.status === 'completed') && v.status === 'completed' ? v : null;
    }, 60_000, 'three turns');
    expect(done.turns.map((x) => x.result)).toEqual(['first', 'second', 'third']);
    expect(done.turns[1]!.startSeq).toBe(done.turns[0]!.endSeq! + 1);
    expect(done.turns[2]!.startSeq).toBe(done.turns[1]!.endSeq! + 1);
    const lines = await storedLines(t.id);
    // One session across turns: every init carries the task's session id.
    const inits = lines.map((l) => JSON.parse(l) as { type: string; subtype?: string; session_id?: string }).filter((e) => e.type === 'system');
    expect(inits).toHaveLength(3);
    expect(new Set(inits.map((e) => e.session_id))).toEqual(new Set([done.sessionId]));
  });
});

describe('kill, limits and hygiene', () => {
  it('kills a running turn (SIGINT, then the session) and leaves no claude, runner or tmux behind', async () => {
    agent();
    await ready();
    const t = await create({ prompt: '@sim say started\n@sim hang' });
    await waitFor(async () => (await get(t.id)).lastSeq >= 2, 30_000, 'running output');
    await api.call(`/v1/tasks/${t.id}/kill`, { method: 'POST' });
    const killed = await until(t.id, ['killed']);
    expect(killed.error?.message).toMatch(/killed by request/);
    await waitFor(() => processesMatching(t.id).length === 0, 15_000, `no process of ${t.id}: ${processesMatching(t.id).join('\n')}`);
    expect(tmuxSessions()).not.toContain(`sy-${t.id}`);
  });

  it('ends a turn past maxDurationSec or idleTimeoutSec as killed, with the reason', async () => {
    agent();
    await ready();
    await api.call('/v1/workspaces/local', { method: 'PATCH', json: { maxConcurrency: 2 } });
    const long = await create({ prompt: '@sim say tick\n@sim hang', maxDurationSec: 2 });
    const idle = await create({ prompt: '@sim say hello\n@sim hang', idleTimeoutSec: 2 });
    const a = await until(long.id, ['killed', 'failed', 'completed']);
    const b = await until(idle.id, ['killed', 'failed', 'completed']);
    expect(a.status).toBe('killed');
    expect(a.error?.message).toMatch(/max_duration/);
    expect(b.status).toBe('killed');
    expect(b.error?.message).toMatch(/idle_timeout/);
    await api.call('/v1/workspaces/local', { method: 'PATCH', json: { maxConcurrency: 1 } });
  });

  it('on graceful shutdown kills running turns, reports them and leaves no process', async () => {
    const a = agent();
    await ready();
    const t = await create({ prompt: '@sim say working\n@sim hang' });
    await waitFor(async () => (await get(t.id)).lastSeq >= 2, 30_000, 'running');
    await a.stop();
    const v = await until(t.id, ['killed']);
    expect(v.error?.message).toMatch(/agent shutdown/);
    expect(processesMatching(t.id)).toEqual([]);
    expect(tmuxSessions()).not.toContain(`sy-${t.id}`);
  });

  it('shows readable progress in the pane, not raw JSON', async () => {
    const a = agent();
    await ready();
    const t = await create({ prompt: '@sim say Hello from the pane\n@sim tool Bash\n@sim sleep 4' });
    await waitFor(async () => (await get(t.id)).lastSeq >= 4, 30_000, 'output');
    const pane = execFileSync('tmux', ['-S', join(a.dir, 'tmux.sock'), 'capture-pane', '-p', '-t', `=sy-${t.id}:`], { encoding: 'utf8' });
    expect(pane).toContain('Hello from the pane');
    expect(pane).toContain('⚙ Bash');
    expect(pane).not.toContain('"type":"assistant"');
    expect((await get(t.id)).attach.command).toBe(`tmux -S ${a.dir}/tmux.sock attach -t sy-${t.id}`);
    await until(t.id, ['completed']);
  });
});

describe('disk bounds and retention', () => {
  it('stops keeping output past the per-task bound, with one marker line, and still keeps the result', async () => {
    agent({ env: { SWITCHYARD_MAX_OUTPUT_BYTES: '20000' } });
    await ready();
    const t = await create({ prompt: '@sim lines 1000 100\n@sim cost 0.5' });
    const done = await until(t.id, ['completed', 'failed']);
    const lines = await storedLines(t.id);
    expect(lines.length).toBeLessThan(200);
    expect(JSON.parse(lines.at(-2)!)).toMatchObject({ type: 'switchyard', subtype: 'output_truncated', limitBytes: 20000 });
    // The final result still follows the marker: the verdict and the cost come from it.
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'result', total_cost_usd: 0.5 });
    expect(done).toMatchObject({ status: 'completed', costUsd: 0.5 });
  });

  it('closes finished panes and removes reported task dirs after their retention', async () => {
    const a = agent({ env: { SWITCHYARD_SESSION_RETENTION_SEC: '1', SWITCHYARD_DIR_RETENTION_SEC: '2' } });
    await ready();
    const t = await create({ prompt: '@sim say short-lived' });
    await until(t.id, ['completed']);
    await waitFor(() => !tmuxSessions().includes(`sy-${t.id}`), 15_000, 'pane closed');
    await waitFor(() => !existsSync(join(a.dir, 'tasks', t.id)), 15_000, 'task dir removed');
  });
});

describe('scheduling through the real agent', () => {
  it('never runs more than maxConcurrency turns at once, even with free agent slots', async () => {
    agent();
    await ready();
    await api.call('/v1/workspaces/local', { method: 'PATCH', json: { maxConcurrency: 1 } });
    const tasks = [await create({ prompt: '@sim sleep 1' }), await create({ prompt: '@sim sleep 1' }), await create({ prompt: '@sim sleep 1' })];
    let most = 0;
    await waitFor(async () => {
      const all = await Promise.all(tasks.map((t) => get(t.id)));
      most = Math.max(most, all.filter((t) => t.status === 'running' || t.status === 'dispatched').length);
      return all.every((t) => t.status === 'completed');
    }, 60_000, 'all three done');
    expect(most).toBe(1);
    const runs = (await Promise.all(tasks.map((t) => get(t.id)))).map((t) => [Date.parse(t.startedAt!), Date.parse(t.finishedAt!)] as const);
    runs.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < runs.length; i++) expect(runs[i]![0]).toBeGreaterThanOrEqual(runs[i - 1]![1]);
  });
});

describe('prompts and rate limits through claude-sim', () => {
  it('delivers a hostile prompt to claude byte for byte', async () => {
    agent();
    await ready();
    const prompt = `@sim echo\n"double" 'single' $(touch /tmp/pwned) \`id\` ; rm -rf / && echo\nC-c Enter Escape \u0001\u0007\u001b[31m ünïcødé 🚀 ${'\\'}n\n--help`;
    const t = await create({ prompt });
    await until(t.id, ['completed']);
    const lines = await storedLines(t.id);
    const said = lines
      .map((l) => JSON.parse(l) as { type: string; message?: { content: { type: string; text?: string }[] } })
      .find((e) => e.type === 'assistant')!.message!.content[0]!.text;
    expect(said).toBe(prompt);
  });

  it('backs off a rate-limited turn until the reset, then resumes it to completion', async () => {
    agent();
    await ready();
    // The reset lies 6 s after claude reports it; shipping the report eats into that window, so it
    // must be long enough to be seen as rate_limited on a loaded machine.
    const t = await create({ prompt: '@sim rate_limit 6\n@sim say after the limit' });
    const limited = await until(t.id, ['rate_limited'], 25_000);
    expect(Date.parse(limited.rateLimitedUntil!)).toBeGreaterThan(Date.now());
    const ws = (await (await api.call('/v1/workspaces/local')).json()) as { ready: boolean };
    expect(ws.ready).toBe(false);
    const done = await until(t.id, ['completed'], 30_000);
    expect(done.result).toBe('after the limit');
    expect(done.attempts).toBe(0);
  });
});
