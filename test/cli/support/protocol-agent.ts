import { readFileSync } from 'node:fs';
import { emptySummary, type Lease, type SyncResponse, type TurnFinished } from '@switchyard/core';
import type { TestApi } from '../../support/api.ts';

/**
 * Plays the agent's side of /agent/v1 by hand, so tests decide exactly when a task starts,
 * what it prints and how it ends — no tmux, no claude-sim.
 */
export class ProtocolAgent {
  private readonly held = new Map<string, { turn: number; nextSeq: number }>();

  private constructor(
    private readonly api: TestApi,
    private readonly token: string,
    readonly agentId: string,
  ) {}

  static async register(api: TestApi, hostname = 'pod-cli-test'): Promise<ProtocolAgent> {
    const token = readFileSync(api.agentTokenFile, 'utf8').trim();
    const res = await api.call('/agent/v1/register', {
      method: 'POST',
      token,
      json: {
        hostname,
        agentVersion: '0.1.0',
        claudeVersion: '2.0.0-sim (Claude Code)',
        tmuxVersion: '3.3a',
        slots: 2,
        workdirRoots: ['/tmp'],
        problems: [],
        simulated: true,
      },
    });
    if (res.status !== 200) throw new Error(`register: ${res.status} ${await res.text()}`);
    const { agentId } = (await res.json()) as { agentId: string };
    return new ProtocolAgent(api, token, agentId);
  }

  private async post(path: string, json: unknown): Promise<Response> {
    return this.api.call(`/agent/v1${path}`, { method: 'POST', token: this.token, json });
  }

  async sync(waitMs = 0): Promise<SyncResponse> {
    const running = [...this.held].map(([taskId, h]) => ({ taskId, turn: h.turn, ackSeq: h.nextSeq - 1, alive: true }));
    const res = await this.post('/sync', { agentId: this.agentId, freeSlots: 2, running, waitMs });
    if (res.status !== 200) throw new Error(`sync: ${res.status} ${await res.text()}`);
    return (await res.json()) as SyncResponse;
  }

  /**
   * Syncs until the API leases `taskId`. Leases of other tasks met on the way are finished at
   * once, so leftovers of earlier tests never block the workspace's single slot.
   */
  async lease(taskId: string, timeoutMs = 15_000): Promise<Lease> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { leases } = await this.sync(500);
      let found: Lease | undefined;
      for (const l of leases) {
        this.held.set(l.taskId, { turn: l.turn, nextSeq: l.startSeq });
        if (l.taskId === taskId) found = l;
        else await this.finish(l.taskId);
      }
      if (found) return found;
    }
    throw new Error(`no lease for ${taskId} within ${timeoutMs} ms`);
  }

  async start(taskId: string): Promise<void> {
    const h = this.mustHold(taskId);
    const res = await this.post(`/tasks/${taskId}/started`, { turn: h.turn, tmuxSession: `sy-${taskId}` });
    if (res.status !== 200) throw new Error(`started: ${res.status} ${await res.text()}`);
  }

  /** Ships output lines with the next seqs; returns the API's ack. */
  async emit(taskId: string, lines: string[]): Promise<number> {
    const h = this.mustHold(taskId);
    const batch = lines.map((line, i) => ({ seq: h.nextSeq + i, ts: Date.now(), line }));
    const res = await this.post(`/tasks/${taskId}/events`, { turn: h.turn, lines: batch });
    if (res.status !== 200) throw new Error(`events: ${res.status} ${await res.text()}`);
    h.nextSeq += lines.length;
    return ((await res.json()) as { ackSeq: number }).ackSeq;
  }

  /** Ends the current turn: exit 0 with a success result unless told otherwise. */
  async finish(
    taskId: string,
    o: { exitCode?: number; outcome?: TurnFinished['outcome']; result?: string; costUsd?: number } = {},
  ): Promise<string> {
    const h = this.mustHold(taskId);
    // Starting twice is harmless: the API treats it as a resent report.
    await this.start(taskId).catch(() => undefined);
    const exitCode = o.exitCode ?? 0;
    const ok = exitCode === 0 && (o.outcome ?? 'exited') === 'exited';
    const summary = {
      ...emptySummary(),
      resultSubtype: ok ? 'success' : 'error_during_execution',
      isError: !ok,
      result: o.result ?? (ok ? 'done' : 'it broke'),
      costUsd: o.costUsd ?? 0.01,
      numTurns: 1,
      durationMs: 1200,
    };
    const body = {
      turn: h.turn,
      outcome: o.outcome ?? 'exited',
      exitCode: o.outcome === 'killed' ? null : exitCode,
      signal: o.outcome === 'killed' ? 'SIGINT' : null,
      lastSeq: h.nextSeq - 1,
      summary,
      reason: o.outcome === 'killed' ? 'killed by request' : null,
      stderrTail: null,
    };
    const res = await this.post(`/tasks/${taskId}/finished`, body);
    if (res.status !== 200) throw new Error(`finished: ${res.status} ${await res.text()}`);
    this.held.delete(taskId);
    return ((await res.json()) as { status: string }).status;
  }

  /** Lease, start, ship `lines`, finish: one whole turn. */
  async run(taskId: string, lines: string[], o: Parameters<ProtocolAgent['finish']>[1] = {}): Promise<string> {
    await this.lease(taskId);
    await this.start(taskId);
    if (lines.length) await this.emit(taskId, lines);
    return this.finish(taskId, o);
  }

  private mustHold(taskId: string) {
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
