import { beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { HandAgent } from '../support/hand-agent.ts';

const ctx = useApi();

let agent: HandAgent;

beforeAll(async () => {
  agent = await new HandAgent(ctx.api).register();
});

interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Reads server-sent events from a response until `stop` says so or the stream ends. */
async function readSse(res: Response, stop: (e: SseEvent, all: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return events;
    buf += value;
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const chunk = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (chunk.startsWith(':')) continue;
      const e: SseEvent = { event: 'message', data: '' };
      for (const line of chunk.split('\n')) {
        const [k, ...rest] = line.split(':');
        const v = rest.join(':').replace(/^ /, '');
        if (k === 'id') e.id = v;
        else if (k === 'event') e.event = v;
        else if (k === 'data') e.data += v;
      }
      events.push(e);
      if (stop(e, events)) {
        await reader.cancel();
        return events;
      }
    }
  }
}

async function newTask(): Promise<TaskView> {
  const res = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', prompt: 'stream me', workdir: '/tmp' } });
  return (await res.json()) as TaskView;
}

const sse = (path: string, headers: Record<string, string> = {}) =>
  ctx.api.call(path, { headers: { accept: 'text/event-stream', ...headers } });

describe('live output over SSE', () => {
  it('streams lines as they arrive, then resumes from Last-Event-ID with nothing missed or doubled', async () => {
    const task = await newTask();
    const { leases } = await agent.sync();
    expect(leases.map((l) => l.taskId)).toContain(task.id);
    const agentToken = agent.token;
    await ctx.api.call(`/agent/v1/tasks/${task.id}/started`, { method: 'POST', token: agentToken, json: { turn: 1, tmuxSession: `sy-${task.id}` } });
    const post = (from: number, to: number) =>
      ctx.api.call(`/agent/v1/tasks/${task.id}/events`, {
        method: 'POST',
        token: agentToken,
        json: { turn: 1, lines: Array.from({ length: to - from + 1 }, (_, k) => ({ seq: from + k, ts: Date.now(), line: `{"n":${from + k}}` })) },
      });

    // A client connects before any output; lines 1-5 arrive while it listens.
    const first = readSse(await sse(`/v1/tasks/${task.id}/events`), (_e, all) => all.filter((x) => x.event === 'line').length === 5);
    await new Promise((r) => setTimeout(r, 200));
    expect((await post(1, 5)).status).toBe(200);
    const got = (await first).filter((e) => e.event === 'line');
    expect(got.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5']);

    // It drops; more lines and the end come meanwhile; it comes back with Last-Event-ID: 3.
    await post(6, 8);
    await ctx.api.call(`/agent/v1/tasks/${task.id}/finished`, {
      method: 'POST',
      token: agentToken,
      json: { turn: 1, outcome: 'exited', exitCode: 0, signal: null, lastSeq: 8, summary: { sessionId: null, claudeVersion: null, model: null, resultSubtype: 'success', isError: false, result: 'ok', costUsd: 0, numTurns: 1, durationMs: 1, usage: null, todos: null, errorKind: null, rateLimit: null, apiRetries: 0, permissionDenials: 0 }, reason: null, stderrTail: null },
    });
    const resumed = await readSse(await sse(`/v1/tasks/${task.id}/events`, { 'last-event-id': '3' }), (e) => e.event === 'end');
    expect(resumed.filter((e) => e.event === 'line').map((e) => Number(e.id))).toEqual([4, 5, 6, 7, 8]);
    const end = resumed.at(-1)!;
    expect(end.event).toBe('end');
    expect((JSON.parse(end.data) as TaskView).status).toBe('completed');

    // ?after= does the same, and the JSON form pages.
    const after = await readSse(await sse(`/v1/tasks/${task.id}/events?after=6`), (e) => e.event === 'end');
    expect(after.filter((e) => e.event === 'line').map((e) => e.id)).toEqual(['7', '8']);
    const page = (await (await ctx.api.call(`/v1/tasks/${task.id}/events?after=2&limit=3`)).json()) as { events: { seq: number }[]; nextAfter: number; done: boolean };
    expect(page.events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(page).toMatchObject({ nextAfter: 5, done: false });
    const last = (await (await ctx.api.call(`/v1/tasks/${task.id}/events?after=5`)).json()) as { done: boolean; status: string };
    expect(last).toMatchObject({ done: true, status: 'completed' });
  });

  it('streams fleet changes, limited to what the token may see', async () => {
    await ctx.api.call('/v1/teams', { method: 'POST', json: { name: 'other' } });
    await ctx.api.call('/v1/workspaces', { method: 'POST', json: { name: 'other-1', team: 'other', workdirRoots: ['/tmp'] } });
    const member = ((await (await ctx.api.call('/v1/tokens', { method: 'POST', json: { name: 'm', role: 'member', team: 'other' } })).json()) as { token: string }).token;
    const adminStream = readSse(await sse('/v1/events'), (e) => e.event === 'task');
    const ctl = new AbortController();
    const memberRes = await ctx.api.call('/v1/events', { token: member, headers: { accept: 'text/event-stream' }, signal: ctl.signal });
    const memberEvents: SseEvent[] = [];
    const memberStream = readSse(memberRes, (e) => {
      memberEvents.push(e);
      return e.event === 'task';
    });
    await new Promise((r) => setTimeout(r, 200));
    const t = await newTask();
    const adminGot = await adminStream;
    expect(JSON.parse(adminGot.at(-1)!.data)).toMatchObject({ id: t.id, status: 'queued', workspace: 'local' });
    // The member of another team hears nothing of it.
    await new Promise((r) => setTimeout(r, 300));
    expect(memberEvents.filter((e) => e.event === 'task')).toHaveLength(0);
    expect(memberEvents.map((e) => e.event)).toEqual(['ready']);
    ctl.abort();
    await memberStream.catch(() => undefined);
  });
});

describe('reference and metrics', () => {
  it('publishes OpenAPI 3.1 and a browsable page of every operation', async () => {
    const doc = (await (await fetch(`${ctx.api.url}/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/tasks', '/tasks/{id}', '/tasks/{id}/events', '/tasks/{id}/output', '/tasks/{id}/messages', '/tasks/{id}/kill', '/workspaces', '/teams', '/tokens', '/agents', '/audit', '/me']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    // The page itself is Swagger UI on this document: test/browser/api-reference.test.ts.
    expect((await fetch(`${ctx.api.url}/v1/docs`)).status).toBe(200);
  });

  it('exposes Prometheus metrics', async () => {
    const text = await (await fetch(`${ctx.api.url}/metrics`)).text();
    expect(text).toMatch(/^switchyard_tasks\{status="queued"\} \d+$/m);
    expect(text).toMatch(/^switchyard_agents_online\{workspace="local"\} \d+$/m);
    expect(text).toMatch(/^switchyard_output_lines_ingested_total\{workspace="local"\} [1-9]\d*$/m);
  });
});
