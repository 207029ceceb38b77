import { readFileSync } from 'node:fs';
import { emptySummary, type Lease, type SyncResponse, type TurnSummary } from '@switchyard/core';
import type { TestApi } from './api.ts';

/**
 * Plays the agent protocol by hand against the real API: for tests of API behaviour that need
 * a task to run and finish, without tmux or a claude process in the way.
 */
export class HandAgent {
  agentId = '';
  constructor(
    private readonly api: TestApi,
    private readonly token = readFileSync(api.agentTokenFile, 'utf8').trim(),
  ) {}

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

  sync(freeSlots = 4, running: unknown[] = [], waitMs = 0): Promise<SyncResponse> {
    return this.post('/sync', { agentId: this.agentId, freeSlots, running, waitMs });
  }

  /** Leases until `taskId` comes, then runs its turn: started, the lines, finished. */
  async run(
    taskId: string,
    lines: string[],
    opts: { exitCode?: number; summary?: Partial<TurnSummary>; outcome?: 'exited' | 'killed' | 'rate_limited' } = {},
  ): Promise<Lease> {
    let lease: Lease | undefined;
    for (let i = 0; i < 50 && !lease; i++) {
      lease = (await this.sync()).leases.find((l) => l.taskId === taskId);
      if (!lease) await new Promise((r) => setTimeout(r, 100));
    }
    if (!lease) throw new Error(`task ${taskId} was never leased`);
    return this.runLeased(lease, lines, opts.exitCode ?? 0, opts);
  }

  /** Runs a turn already leased: started, the lines, finished. */
  async runLeased(
    lease: Lease,
    lines: string[],
    exitCode = 0,
    opts: { summary?: Partial<TurnSummary>; outcome?: 'exited' | 'killed' | 'rate_limited' } = {},
  ): Promise<Lease> {
    const taskId = lease.taskId;
    await this.post(`/tasks/${taskId}/started`, { turn: lease.turn, tmuxSession: `sy-${taskId}` });
    if (lines.length) {
      await this.post(`/tasks/${taskId}/events`, {
        turn: lease.turn,
        lines: lines.map((line, i) => ({ seq: lease.startSeq + i, ts: Date.now(), line })),
      });
    }
    await this.post(`/tasks/${taskId}/finished`, {
      turn: lease.turn,
      outcome: opts.outcome ?? 'exited',
      exitCode,
      signal: null,
      lastSeq: lease.startSeq + lines.length - 1,
      summary: { ...emptySummary(), resultSubtype: 'success', isError: exitCode !== 0, result: 'ok', costUsd: 0.01, numTurns: 1, durationMs: 10, ...opts.summary },
      reason: null,
      stderrTail: null,
    });
    return lease;
  }
}
