// Helpers for the turn's unit tests: a lease, a turn's files in a temp dir, and an agent gateway
// in memory that stores output the way the API does (idempotent by seq, acks the contiguous end).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { z } from 'zod';
import { LeaseSchema, parseErrorEnvelope, type Lease, type OutputLine } from '@switchyard/core';
import { ApiError, type ApiPost } from '../api-client.ts';
import { launchState, TurnFiles, TurnRecord, type TurnState } from './layout.ts';

export const silent = pino({ level: 'silent' });

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sy-turn-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function lease(overrides: Partial<Lease> = {}): Lease {
  return LeaseSchema.parse({
    taskId: 'tsk_0000test0001',
    turn: 1,
    leaseToken: 'lt',
    prompt: 'hello',
    sessionId: '00000000-0000-4000-8000-000000000001',
    resume: false,
    workdir: '/tmp',
    options: {},
    maxDurationSec: null,
    idleTimeoutSec: null,
    startSeq: 1,
    ...overrides,
  });
}

/** A turn's files and state.json, as the launcher leaves them. */
export function turnRecord(dir: string, l: Lease = lease(), patch: Partial<TurnState> = {}): TurnRecord {
  const files = new TurnFiles(dir, l.taskId, l.turn);
  files.prepareFresh();
  const record = new TurnRecord(files, { ...launchState(l, 1_000), ...patch });
  files.writeState(record.state);
  return record;
}

/** An error answer of the API, as the agent's client would throw it. */
export function apiError(status: number, code: string, details?: Record<string, unknown>): ApiError {
  return new ApiError(status, parseErrorEnvelope(status, JSON.stringify({ error: { code, message: code, details } })));
}

interface Call {
  path: string;
  body: unknown;
}

/**
 * The agent gateway in memory. `fail` may answer a call in place of the API (return an error to
 * throw, or undefined to let the API answer).
 */
export function fakeApi(fail: (call: Call, n: number) => Error | undefined = () => undefined) {
  const stored = new Map<number, string>();
  const calls: Call[] = [];
  const ackSeq = () => {
    let s = 0;
    while (stored.has(s + 1)) s++;
    return s;
  };
  const post = (async (path: string, body: unknown, schema: z.ZodType) => {
    calls.push({ path, body });
    const err = fail({ path, body }, calls.length);
    if (err) throw err;
    if (path.endsWith('/events')) {
      for (const l of (body as { lines: OutputLine[] }).lines) if (!stored.has(l.seq)) stored.set(l.seq, l.line);
      return schema.parse({ ackSeq: ackSeq() });
    }
    return schema.parse({});
  }) as ApiPost;
  return {
    post,
    calls,
    stored,
    ackSeq,
    /** The seqs of every events POST, one array per batch. */
    batches: () => calls.filter((c) => c.path.endsWith('/events')).map((c) => (c.body as { lines: OutputLine[] }).lines.map((l) => l.seq)),
  };
}
