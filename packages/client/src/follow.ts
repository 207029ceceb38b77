import { OutputLineSchema, TaskViewSchema, type OutputLine, type TaskStatus, type TaskView } from '@switchyard/core';
import { ApiError, ConnectionError } from './errors.ts';
import type { Http, Schema } from './http.ts';
import { readSse } from './sse.ts';

/** What following a task yields, in order, each output line exactly once. */
export type TaskStreamEvent =
  | { type: 'line'; seq: number; ts: number; line: string }
  | { type: 'status'; status: TaskStatus; rateLimitedUntil: string | null }
  /** The stream broke; the follower waits `delayMs` and resumes after seq `after`. */
  | { type: 'reconnect'; attempt: number; after: number; delayMs: number; error: Error }
  | { type: 'end'; task: TaskView };

export interface FollowOptions {
  /** Resume after this seq (0: from the first line). */
  after?: number;
  signal?: AbortSignal;
  /**
   * Keep following past an `end` until turn `untilTurn` has finished: a follow-up sent while
   * an earlier turn ran must not stop the follower at the earlier turn's end.
   */
  untilTurn?: number;
  /** A connection that says nothing (not even a keep-alive) this long is dropped and resumed. */
  idleTimeoutMs?: number;
  /** First reconnect delay; doubles up to `maxDelayMs`, with jitter. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up when the API stays unreachable this long in a row. */
  giveUpAfterMs?: number;
  /** Called each time a stream is open (the first time and after every reconnect). */
  onConnected?: () => void;
}

const StatusData = TaskViewSchema.pick({ status: true, rateLimitedUntil: true }).partial({ rateLimitedUntil: true });
const Lines = OutputLineSchema.array();
/** The JSON events page; only its lines matter here. */
const EventsPage: Schema<{ events: OutputLine[] }> = {
  safeParse(data) {
    const r = Lines.safeParse((data as { events?: unknown } | null)?.events);
    return r.success ? { success: true, data: { events: r.data } } : { success: false, error: r.error };
  },
};

/** 4xx answers other than 408/429 will not change by retrying: the follower stops on them. */
function isFatal(err: unknown): boolean {
  return err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });

/**
 * Follows a task's output over SSE from `after` to its end. When the connection drops it
 * reconnects with `Last-Event-ID` set to the last seq it yielded, skips anything already
 * yielded and fetches any hole from the JSON events page, so lines come exactly once and in order.
 * Returns quietly when `signal` aborts.
 */
export async function* followTask(http: Http, id: string, opts: FollowOptions = {}): AsyncGenerator<TaskStreamEvent> {
  const idleMs = opts.idleTimeoutMs ?? 45_000;
  const initialDelay = opts.initialDelayMs ?? 250;
  const maxDelay = opts.maxDelayMs ?? 5_000;
  const giveUpMs = opts.giveUpAfterMs ?? 5 * 60_000;
  const cursor: Cursor = { after: opts.after ?? 0, lastStatus: null };
  let failingSince: number | null = null;
  let attempt = 0;
  // Until a stream has worked once, an unreachable API is a wrong URL, not a blip to ride out.
  let connectedOnce = false;

  while (!opts.signal?.aborted) {
    const conn = new AbortController();
    const abortConn = () => conn.abort();
    opts.signal?.addEventListener('abort', abortConn, { once: true });
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => conn.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
    };
    let outcome: 'done' | 'turn-pending' | undefined;
    try {
      touch();
      const connected = () => {
        failingSince = null;
        attempt = 0;
        connectedOnce = true;
        opts.onConnected?.();
      };
      outcome = yield* streamOnce(http, id, cursor, opts.untilTurn, { signal: conn.signal, touch, connected });
      if (outcome === 'done') return;
    } catch (err) {
      if (opts.signal?.aborted) return;
      if (isFatal(err) || (!connectedOnce && err instanceof ConnectionError)) throw err;
      const now = Date.now();
      failingSince ??= now;
      if (now - failingSince > giveUpMs) throw err;
      const delayMs = Math.min(maxDelay, initialDelay * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      attempt++;
      const error = err instanceof Error ? err : new Error(String(err));
      yield { type: 'reconnect', attempt, after: cursor.after, delayMs: Math.round(delayMs), error };
      await sleep(delayMs, opts.signal);
    } finally {
      clearTimeout(idle);
      opts.signal?.removeEventListener('abort', abortConn);
      conn.abort();
    }
    if (outcome === 'turn-pending') await sleep(500, opts.signal);
  }
}

/** Where a follower stands: the last seq and status it yielded. */
interface Cursor {
  after: number;
  lastStatus: TaskStatus | null;
}

/**
 * One SSE connection: yields what it brings past `cursor` (filling holes from the JSON page)
 * and says how it ended: `done` at the task's end, `turn-pending` when an earlier turn ended
 * and the awaited one is still queued. Throws when the connection fails or closes early.
 */
async function* streamOnce(
  http: Http,
  id: string,
  cursor: Cursor,
  untilTurn: number | undefined,
  conn: { signal: AbortSignal; touch: () => void; connected: () => void },
): AsyncGenerator<TaskStreamEvent, 'done' | 'turn-pending'> {
  const path = `/v1/tasks/${encodeURIComponent(id)}/events`;
  const res = await http.send('GET', path, {
    headers: { accept: 'text/event-stream', 'last-event-id': String(cursor.after) },
    signal: conn.signal,
  });
  if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    throw new ApiError({ status: res.status, code: 'bad_response', message: `GET ${path} did not answer with an event stream`, method: 'GET', path });
  }
  if (!res.body) throw new Error('empty event stream');
  conn.connected();
  const linesUpTo = async function* (to: number) {
    for await (const missing of fillGap(http, id, cursor.after, to)) {
      yield { type: 'line' as const, ...missing };
      cursor.after = missing.seq;
    }
  };
  for await (const ev of readSse(res.body, conn.touch)) {
    if (ev.event === 'line') {
      const line = OutputLineSchema.parse(JSON.parse(ev.data));
      if (line.seq <= cursor.after) continue;
      if (line.seq > cursor.after + 1) yield* linesUpTo(line.seq - 1);
      yield { type: 'line', seq: line.seq, ts: line.ts, line: line.line };
      cursor.after = line.seq;
    } else if (ev.event === 'status') {
      const s = StatusData.parse(JSON.parse(ev.data));
      if (s.status !== cursor.lastStatus) {
        cursor.lastStatus = s.status;
        yield { type: 'status', status: s.status, rateLimitedUntil: s.rateLimitedUntil ?? null };
      }
    } else if (ev.event === 'end') {
      const task = TaskViewSchema.parse(JSON.parse(ev.data)) as TaskView;
      if (task.lastSeq > cursor.after) yield* linesUpTo(task.lastSeq);
      // An earlier turn ended; the one we wait for is queued behind it.
      if (untilTurn !== undefined && !turnDone(task, untilTurn)) return 'turn-pending';
      yield { type: 'end', task };
      return 'done';
    } else if (ev.event === 'error') {
      throw new Error(`the API broke the stream: ${ev.data}`);
    }
  }
  throw new Error('the event stream closed before the task ended');
}

function turnDone(task: TaskView, n: number): boolean {
  const turn = task.turns.find((t) => t.n === n);
  return turn !== undefined && turn.finishedAt !== null;
}

/** Lines (from, to] from the JSON events page, for a hole the stream skipped. */
async function* fillGap(http: Http, id: string, from: number, to: number) {
  let after = from;
  while (after < to) {
    const page = await http.json('GET', `/v1/tasks/${encodeURIComponent(id)}/events`, EventsPage, {
      query: { after, limit: Math.min(5000, to - after) },
    });
    if (page.events.length === 0) return;
    for (const e of page.events) {
      if (e.seq <= after || e.seq > to) continue;
      yield e;
      after = e.seq;
    }
  }
}
