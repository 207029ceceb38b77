import { readFileSync } from 'node:fs';
import { emptySummary, type Lease, type RunningTurn, type SyncResponse, type TurnFinished } from '@switchyard/core';
import type { TestApi } from './api.ts';

/**
 * Plays the agent's side of /agent/v1 by hand against the real API, so a test decides exactly
 * when a task is leased and started, what it prints and how it ends: no tmux, no claude-sim.
 */
export class HandAgent {
  agentId = '';
  readonly token: string;
  /** Turns this agent holds, by task: the turn and the seq of its next line. */
  private readonly held = new Map<string, { turn: number; nextSeq: number }>();

  constructor(
    private readonly api: Pick<TestApi, 'call' | 'agentTokenFile'>,
    token?: string,
  ) {
    this.token = token ?? readFileSync(api.agentTokenFile, 'utf8').trim();
  }

  private async post<T>(path: string, json: unknown): Promise<T> {
    const res = await this.api.call(`/agent/v1${path}`, { method: 'POST', token: this.token, json });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async register(hostname = `hand-${Math.random().toString(36).slice(2, 7)}`): Promise<this> {
    const r = await this.post<{ agentId: string }>('/register', {
      hostname,
      agentVersion: '0.0.0-test',
      claudeVersion: '2.0.0-sim (Claude Code)',
      tmuxVersion: 'tmux 3.3a',
      slots: 4,
      workdirRoots: ['/tmp'],
      problems: [],
      simulated: true,
    });
    this.agentId = r.agentId;
    return this;
  }

  /** One sync; reports the turns it holds unless told what to report. */
  sync(freeSlots = 4, running?: RunningTurn[], waitMs = 0): Promise<SyncResponse> {
    const held = [...this.held].map(([taskId, h]) => ({ taskId, turn: h.turn, ackSeq: h.nextSeq - 1, alive: true }));
    return this.post('/sync', { agentId: this.agentId, freeSlots, running: running ?? held, waitMs });
  }

  /** Takes a lease as held: later syncs report it, and start/emit/finish act on it. */
  hold(lease: Lease): Lease {
    this.held.set(lease.taskId, { turn: lease.turn, nextSeq: lease.startSeq });
    return lease;
  }

  /**
   * Syncs until the API leases `taskId`. Leases of other tasks met on the way are finished at
   * once, so leftovers of earlier tests never block the workspace's slot.
   */
  async lease(taskId: string, timeoutMs = 15_000): Promise<Lease> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { leases } = await this.sync(2, undefined, 500);
      let found: Lease | undefined;
      for (const l of leases) {
        this.hold(l);
        if (l.taskId === taskId) found = l;
        else await this.finish(l.taskId);
      }
      if (found) return found;
    }
    throw new Error(`no lease for ${taskId} within ${timeoutMs} ms`);
  }

  async start(taskId: string): Promise<void> {
    await this.post(`/tasks/${taskId}/started`, { turn: this.mustHold(taskId).turn, tmuxSession: `sy-${taskId}` });
  }

  /** Ships output lines with the next seqs; returns the API's ack. */
  async emit(taskId: string, lines: string[]): Promise<number> {
    const h = this.mustHold(taskId);
    const batch = lines.map((line, i) => ({ seq: h.nextSeq + i, ts: Date.now(), line }));
    const { ackSeq } = await this.post<{ ackSeq: number }>(`/tasks/${taskId}/events`, { turn: h.turn, lines: batch });
    h.nextSeq += lines.length;
    return ackSeq;
  }

  /** Ends the held turn: exit 0 with a success result unless told otherwise; returns the task status. */
  async finish(
    taskId: string,
    o: { exitCode?: number; outcome?: TurnFinished['outcome']; result?: string; costUsd?: number; isError?: boolean; errorKind?: string } = {},
  ): Promise<string> {
    const h = this.mustHold(taskId);
    // Starting twice is harmless: the API treats it as a resent report.
    await this.start(taskId).catch(() => undefined);
    const exitCode = o.exitCode ?? 0;
    const killed = o.outcome === 'killed';
    const ok = o.isError === undefined ? exitCode === 0 && (o.outcome ?? 'exited') === 'exited' : !o.isError;
    const { status } = await this.post<{ status: string }>(`/tasks/${taskId}/finished`, {
      turn: h.turn,
      outcome: o.outcome ?? 'exited',
      exitCode: killed ? null : exitCode,
      signal: killed ? 'SIGINT' : null,
      lastSeq: h.nextSeq - 1,
      summary: {
        ...emptySummary(),
        resultSubtype: ok ? 'success' : 'error_during_execution',
        isError: !ok,
        result: o.result ?? (ok ? 'done' : 'it broke'),
        costUsd: o.costUsd ?? 0.01,
        numTurns: 1,
        durationMs: 1200,
        errorKind: o.errorKind ?? null,
      },
      reason: killed ? 'killed by request' : null,
      stderrTail: null,
    });
    this.held.delete(taskId);
    return status;
  }

  /** One whole turn: lease (unless held already), start, ship `lines`, finish. */
  async run(taskId: string, lines: string[], o: Parameters<HandAgent['finish']>[1] = {}): Promise<string> {
    if (!this.held.has(taskId)) await this.lease(taskId);
    await this.start(taskId);
    if (lines.length) await this.emit(taskId, lines);
    return this.finish(taskId, o);
  }

  private mustHold(taskId: string): { turn: number; nextSeq: number } {
    const h = this.held.get(taskId);
    if (!h) throw new Error(`not holding a lease of ${taskId}`);
    return h;
  }
}

/** stream-json lines as claude writes them, for transcripts. */
export const sj = {
  init: (session = 'sess-1') => JSON.stringify({ type: 'system', subtype: 'init', session_id: session, model: 'claude-sim', cwd: '/tmp' }),
  text: (text: string) => JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text }] } }),
  tool: (name: string, command: string) =>
    JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', name, input: { command } }] } }),
  result: (result: string, ok = true) =>
    JSON.stringify({ type: 'result', subtype: ok ? 'success' : 'error_during_execution', is_error: !ok, result, total_cost_usd: 0.01, num_turns: 1, duration_ms: 1200 }),
};
