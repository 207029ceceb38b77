import type { ApprovalView } from '@switchyard/core';
import { ApiError, ConnectionError } from './errors.ts';
import type { Http } from './http.ts';
import { readSse } from './sse.ts';

/** A fleet change from `GET /v1/events`, with its JSON data parsed; `ready` opens each connection. */
export type FleetEvent =
  | { type: 'ready' }
  | { type: 'task'; data: { id: string; status: string; workspace: string | null; exitCode: number | null; rateLimitedUntil: string | null } }
  | { type: 'agent'; data: { id: string; workspace: string; online: boolean } }
  | { type: 'rate_limit'; data: { workspace: string; rateLimitedUntil: string | null } }
  /** An approval was asked for, or its status changed (answered, expired, closed). */
  | { type: 'approval'; data: ApprovalView }
  /** The stream broke; the follower reconnects after `delayMs`. Reload state on the next `ready`. */
  | { type: 'reconnect'; attempt: number; delayMs: number; error: Error };

export interface FleetFollowOptions {
  signal?: AbortSignal;
  /** A connection that says nothing (not even a keep-alive) this long is dropped and reopened. */
  idleTimeoutMs?: number;
  maxDelayMs?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });

const fatal = (err: unknown) => err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;

/**
 * Follows the fleet's changes over SSE read from a `fetch` body (so the token goes in the
 * Authorization header, never in a URL), reconnecting with backoff until `signal` aborts.
 * Fleet events carry no ids to resume from: after a reconnect a caller reloads what it shows.
 */
export async function* followFleet(http: Http, opts: FleetFollowOptions = {}): AsyncGenerator<FleetEvent> {
  const idleMs = opts.idleTimeoutMs ?? 45_000;
  const maxDelay = opts.maxDelayMs ?? 5_000;
  let attempt = 0;
  while (!opts.signal?.aborted) {
    const conn = new AbortController();
    const abort = () => conn.abort();
    opts.signal?.addEventListener('abort', abort, { once: true });
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => conn.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
    };
    try {
      touch();
      const res = await http.send('GET', '/v1/events', { headers: { accept: 'text/event-stream' }, signal: conn.signal });
      if (!res.body) throw new Error('empty event stream');
      for await (const ev of readSse(res.body, touch)) {
        attempt = 0;
        if (ev.event === 'ready') yield { type: 'ready' };
        else if (ev.event === 'task' || ev.event === 'agent' || ev.event === 'rate_limit' || ev.event === 'approval') {
          yield { type: ev.event, data: JSON.parse(ev.data) } as FleetEvent;
        }
      }
      throw new Error('the fleet event stream closed');
    } catch (err) {
      if (opts.signal?.aborted) return;
      if (fatal(err)) throw err;
      const delayMs = Math.round(Math.min(maxDelay, 250 * 2 ** attempt) * (0.75 + Math.random() * 0.5));
      attempt++;
      const error = err instanceof Error ? err : new ConnectionError(http.baseUrl, err);
      yield { type: 'reconnect', attempt, delayMs, error };
      await sleep(delayMs, opts.signal);
    } finally {
      clearTimeout(idle);
      opts.signal?.removeEventListener('abort', abort);
      conn.abort();
    }
  }
}
