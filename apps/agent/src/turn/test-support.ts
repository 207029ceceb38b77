// Helpers for the turn's unit tests: a lease, a turn's files in a temp dir, and an agent gateway
// in memory that stores output the way the API does (idempotent by seq, acks the contiguous end).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll } from 'vitest';
import type { z } from 'zod';
import { LeaseSchema, parseErrorEnvelope, type Lease, type OutputLine } from '@switchyard/core';
import { ApiError, type ApiPost } from '../api-client.ts';
import type { AgentConfig } from '../config.ts';
import { createTmux, tmuxSocketPath, type Tmux } from '../tmux.ts';
import { launchState, TurnFiles, TurnRecord, type TurnState } from './layout.ts';

export const silent = pino({ level: 'silent' });

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sy-turn-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * For a test file that starts real turns: a temp agent dir and its private tmux server, whose
 * sessions are killed and the dir removed after the file's tests.
 */
export function useAgentDir(): { dir: string; tmux: Tmux } {
  const tmp = tempDir();
  const tmux = createTmux(tmuxSocketPath(tmp.dir));
  afterAll(async () => {
    for (const s of await tmux.list()) await tmux.kill(s);
    tmp.remove();
  });
  return { dir: tmp.dir, tmux };
}

/** An agent's config in `dir` for tests: one slot, no claude unless given, quiet. */
export function agentConfig(dir: string, overrides: Partial<AgentConfig> = {}): AgentConfig {
  return {
    url: 'http://api', token: 'sya_x', dir, slots: 1, workdirRoots: [dir], claudeBin: null, simFallback: false,
    sessionRetentionSec: 60, dirRetentionSec: 60, maxOutputBytes: 1 << 22, killGraceSec: 10, logLevel: 'silent',
    ...overrides,
  };
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
