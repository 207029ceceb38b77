import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { createClient } from './client.ts';
import { ApiError, ConnectionError } from './errors.ts';
import type { TaskStreamEvent } from './follow.ts';

// A scripted SSE server: each connection to /events runs the next script, so the tests can
// drop, stall, overlap and skip exactly where a real network or proxy would.

type Script = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

interface Scripted {
  url: string;
  lastEventIds: (string | undefined)[];
  pageQueries: string[];
}

async function scripted(scripts: Script[], lines: Record<number, string> = {}): Promise<Scripted> {
  const state: Scripted = { url: '', lastEventIds: [], pageQueries: [] };
  let n = 0;
  const server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (req.headers.accept === 'text/event-stream') {
      state.lastEventIds.push(req.headers['last-event-id'] as string | undefined);
      const script = scripts[n++];
      if (!script) return void res.writeHead(500).end('no more scripts');
      return void script(req, res);
    }
    // The JSON events page, for gap filling.
    state.pageQueries.push(u.search);
    const after = Number(u.searchParams.get('after'));
    const limit = Number(u.searchParams.get('limit'));
    const events = Object.keys(lines)
      .map(Number)
      .filter((s) => s > after)
      .sort((a, b) => a - b)
      .slice(0, limit)
      .map((seq) => ({ seq, ts: 1, line: lines[seq]! }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ events, nextAfter: events.at(-1)?.seq ?? after, status: 'running', done: false }));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

const open = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });
const line = (seq: number) => `event: line\nid: ${seq}\ndata: ${JSON.stringify({ seq, ts: 1, line: `L${seq}` })}\n\n`;
const status = (s: string) => `event: status\ndata: ${JSON.stringify({ status: s, rateLimitedUntil: null })}\n\n`;
const end = (t: TaskView) => `event: end\ndata: ${JSON.stringify(t)}\n\n`;

function task(over: Partial<TaskView> = {}): TaskView {
  const now = new Date().toISOString();
  return {
    id: 'tsk_1', workspace: 'local', team: 'default', status: 'completed', prompt: 'p', workdir: '/tmp',
    priority: 0, labels: {}, options: {}, maxDurationSec: null, idleTimeoutSec: null, sessionId: 's',
    exitCode: 0, result: 'ok', isError: false, costUsd: 0, numTurns: 1, durationMs: 1,
    usage: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
    todos: [], todoSource: null, permissionDenials: [], error: null, rateLimitedUntil: null, attempts: 0, lastSeq: 0,
    turns: [{ n: 1, prompt: 'p', status: 'completed', exitCode: 0, outcome: 'exited', result: 'ok', isError: false, costUsd: 0, numTurns: 1, durationMs: 1, startSeq: 1, endSeq: 0, permissionDenials: [], createdAt: now, startedAt: now, finishedAt: now }],
    attach: { tmuxSession: 'sy-tsk_1', command: 'tmux attach -t sy-tsk_1' },
    createdBy: null, createdAt: now, updatedAt: now, startedAt: now, finishedAt: now,
    ...over,
  };
}

async function collect(url: string, o: Parameters<ReturnType<typeof createClient>['tasks']['follow']>[1] = {}) {
  const client = createClient({ url, token: 't' });
  const out: TaskStreamEvent[] = [];
  for await (const e of client.tasks.follow('tsk_1', { initialDelayMs: 10, ...o })) out.push(e);
  return out;
}

const seqs = (events: TaskStreamEvent[]) => events.flatMap((e) => (e.type === 'line' ? [e.seq] : []));

describe('following a task over SSE', () => {
  it('resumes after a dropped connection with Last-Event-ID and yields each line once', async () => {
    const s = await scripted([
      (_req, res) => {
        open(res);
        res.write(status('running') + line(1) + line(2) + line(3));
        setTimeout(() => res.socket!.destroy(), 20);
      },
      (_req, res) => {
        open(res);
        // A server may replay from before the id it was given: nothing may come out twice.
        res.end(status('running') + line(2) + line(3) + line(4) + line(5) + status('completed') + end(task({ lastSeq: 5 })));
      },
    ]);
    const events = await collect(s.url);
    expect(s.lastEventIds).toEqual(['0', '3']);
    expect(seqs(events)).toEqual([1, 2, 3, 4, 5]);
    expect(events.filter((e) => e.type === 'status').map((e) => (e as { status: string }).status)).toEqual(['running', 'completed']);
    expect(events.filter((e) => e.type === 'reconnect')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'end', task: { status: 'completed' } });
  });

  it('fills a hole in the stream, and lines the end event says exist, from the JSON page', async () => {
    const lines = Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [n, `L${n}`]));
    const s = await scripted([(_req, res) => {
      open(res);
      res.end(line(1) + line(4) + end(task({ lastSeq: 6 })));
    }], lines);
    const events = await collect(s.url);
    expect(seqs(events)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.flatMap((e) => (e.type === 'line' ? [e.line] : []))).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'L6']);
    expect(s.pageQueries).toEqual(['?after=1&limit=2', '?after=4&limit=2']);
  });

  it('starts after the given seq', async () => {
    const s = await scripted([(_req, res) => {
      open(res);
      res.end(line(8) + end(task({ lastSeq: 8 })));
    }]);
    expect(seqs(await collect(s.url, { after: 7 }))).toEqual([8]);
    expect(s.lastEventIds).toEqual(['7']);
  });

  it('drops a silent connection after the idle timeout and resumes', async () => {
    const s = await scripted([
      (_req, res) => {
        open(res);
        res.write(line(1)); // then silence: no keep-alive either
      },
      (_req, res) => {
        open(res);
        res.end(line(2) + end(task({ lastSeq: 2 })));
      },
    ]);
    const events = await collect(s.url, { idleTimeoutMs: 300 });
    expect(seqs(events)).toEqual([1, 2]);
    expect(s.lastEventIds).toEqual(['0', '1']);
  });

  it('retries a 503 and a closed stream, but stops at once on a 404', async () => {
    const s = await scripted([
      (_req, res) => void res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"unavailable","message":"redis down"}}'),
      (_req, res) => { open(res); res.end(); },
      (_req, res) => { open(res); res.end(end(task())); },
    ]);
    const events = await collect(s.url);
    expect(events.filter((e) => e.type === 'reconnect').map((e) => (e as { error: Error }).error.message)).toEqual([
      'redis down',
      'the event stream closed before the task ended',
    ]);

    const gone = await scripted([(_req, res) => void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found","message":"task tsk_1 not found"}}')]);
    const err = await collect(gone.url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, code: 'not_found', message: 'task tsk_1 not found' });
    expect(gone.lastEventIds).toHaveLength(1);
  });

  it('with untilTurn, keeps following past the end of an earlier turn', async () => {
    const now = new Date().toISOString();
    const t1 = task({ lastSeq: 1 });
    const turn2 = { ...t1.turns[0]!, n: 2, startSeq: 2, endSeq: 2 };
    const s = await scripted([
      (_req, res) => { open(res); res.end(line(1) + end(t1)); },
      (_req, res) => { open(res); res.end(line(2) + end(task({ lastSeq: 2, turns: [t1.turns[0]!, { ...turn2, finishedAt: now }] }))); },
    ]);
    const events = await collect(s.url, { untilTurn: 2 });
    expect(seqs(events)).toEqual([1, 2]);
    expect(events.filter((e) => e.type === 'end')).toHaveLength(1);
  });

  it('fails at once when the API was never reachable, instead of retrying a wrong URL', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const started = Date.now();
    const err = await collect(`http://127.0.0.1:${port}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('returns quietly when the caller aborts', async () => {
    const s = await scripted([(_req, res) => { open(res); res.write(line(1)); }]);
    const ac = new AbortController();
    const client = createClient({ url: s.url, token: 't' });
    const got: number[] = [];
    for await (const e of client.tasks.follow('tsk_1', { signal: ac.signal })) {
      if (e.type === 'line') {
        got.push(e.seq);
        ac.abort();
      }
    }
    expect(got).toEqual([1]);
  });
});
