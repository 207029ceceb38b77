import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { emptySummary, type Lease, type SyncResponse } from '@switchyard/core';
import { useApi } from '../support/api.ts';

const ctx = useApi();

let agentToken: string;

beforeAll(async () => {
  agentToken = readFileSync(ctx.api.agentTokenFile, 'utf8').trim();
});

const agent = (path: string, json: unknown) =>
  ctx.api.call(`/agent/v1${path}`, { method: 'POST', token: agentToken, json });

const registration = (hostname: string, extra: Record<string, unknown> = {}) => ({
  hostname,
  agentVersion: '0.1.0',
  claudeVersion: '2.0.0-sim (Claude Code)',
  tmuxVersion: '3.3a',
  slots: 2,
  workdirRoots: ['/tmp'],
  problems: [],
  simulated: true,
  ...extra,
});

async function register(hostname = 'pod-1'): Promise<string> {
  const res = await agent('/register', registration(hostname));
  expect(res.status).toBe(200);
  return ((await res.json()) as { agentId: string }).agentId;
}

async function sync(agentId: string, running: unknown[] = [], waitMs = 0): Promise<SyncResponse> {
  const res = await agent('/sync', { agentId, freeSlots: 2, running, waitMs });
  expect(res.status).toBe(200);
  return (await res.json()) as SyncResponse;
}

describe('agent protocol against the real API, Redis and SQLite', () => {
  it('leases a queued task, stores its lines once and in order, and completes it', async () => {
    const agentId = await register();
    const created = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', prompt: 'hello', workdir: '/tmp' } });
    expect(created.status).toBe(201);
    const task = (await created.json()) as { id: string; status: string };
    expect(task.status).toBe('queued');

    const { leases } = await sync(agentId);
    expect(leases).toHaveLength(1);
    const lease = leases[0] as Lease;
    expect(lease).toMatchObject({ taskId: task.id, turn: 1, prompt: 'hello', resume: false, startSeq: 1, workdir: '/tmp' });

    expect((await agent(`/tasks/${task.id}/started`, { turn: 1, tmuxSession: `sy-${task.id}` })).status).toBe(200);
    const lines = [
      '{"type":"system","subtype":"init","session_id":"s"}',
      '{"type":"assistant","message":{"content":[{"type":"text","text":"hi"}]}}',
      '{"type":"result","subtype":"success","is_error":false,"result":"done","total_cost_usd":0.25,"num_turns":2,"duration_ms":1500}',
    ];
    // Out of order and with a resend: the API acknowledges only the contiguous prefix.
    let res = await agent(`/tasks/${task.id}/events`, { turn: 1, lines: [{ seq: 1, ts: Date.now(), line: lines[0] }, { seq: 3, ts: Date.now(), line: lines[2] }] });
    expect(await res.json()).toEqual({ ackSeq: 1 });
    const early = await agent(`/tasks/${task.id}/finished`, { turn: 1, outcome: 'exited', exitCode: 0, signal: null, lastSeq: 3, summary: emptySummary(), reason: null, stderrTail: null });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: { code: string; details: { ackSeq: number } } }).error).toMatchObject({ code: 'output_incomplete', details: { ackSeq: 1 } });
    res = await agent(`/tasks/${task.id}/events`, { turn: 1, lines: lines.map((line, i) => ({ seq: i + 1, ts: Date.now(), line })) });
    expect(await res.json()).toEqual({ ackSeq: 3 });

    const summary = { ...emptySummary(), resultSubtype: 'success', isError: false, result: 'done', costUsd: 0.25, numTurns: 2, durationMs: 1500 };
    res = await agent(`/tasks/${task.id}/finished`, { turn: 1, outcome: 'exited', exitCode: 0, signal: null, lastSeq: 3, summary, reason: null, stderrTail: null });
    expect(res.status).toBe(200);

    const view = (await (await ctx.api.call(`/v1/tasks/${task.id}`)).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ status: 'completed', exitCode: 0, result: 'done', costUsd: 0.25, numTurns: 2, durationMs: 1500 });
    expect(view.finishedAt).toEqual(expect.any(String));
    const out = await (await ctx.api.call(`/v1/tasks/${task.id}/output`)).text();
    expect(out).toBe(lines.map((l) => `${l}\n`).join(''));
    const tail = await (await ctx.api.call(`/v1/tasks/${task.id}/output?tail=1`)).text();
    expect(tail).toBe(`${lines[2]}\n`);
  });

  it('holds a sync open until work arrives (long-poll)', async () => {
    const agentId = await register('pod-2');
    const pending = sync(agentId, [], 10_000);
    await new Promise((r) => setTimeout(r, 300));
    const created = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', prompt: 'wake up', workdir: '/tmp' } });
    const { id } = (await created.json()) as { id: string };
    const { leases } = await pending;
    expect(leases.map((l) => l.taskId)).toContain(id);
  });

  it('refuses user tokens on the agent API and agent tokens on the user API', async () => {
    const r1 = await ctx.api.call('/agent/v1/sync', { method: 'POST', json: {} });
    expect(r1.status).toBe(401);
    const r2 = await ctx.api.call('/v1/tasks', { token: agentToken });
    expect(r2.status).toBe(401);
    const r3 = await ctx.api.call('/v1/tasks', { token: 'syu_nope' });
    expect(((await r3.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });
});

describe('reports name their lease', () => {
  it("refuses started and finished from a lease that is no longer the task's, and takes the current one", async () => {
    const agentId = await register('pod-lease');
    // Earlier tests leave a turn holding local's one slot.
    await ctx.api.call('/v1/workspaces/local', { method: 'PATCH', json: { maxConcurrency: 5 } });
    const created = (await (await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', prompt: 'lease', workdir: '/tmp' } })).json()) as { id: string };
    const lease = (await sync(agentId)).leases.find((l) => l.taskId === created.id);
    expect(lease).toBeDefined();
    // An agent whose lease was taken back (and given again) still holds the old token.
    const stale = await agent(`/tasks/${created.id}/started`, { turn: 1, tmuxSession: `sy-${created.id}`, leaseToken: 'an-older-lease' });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe('turn_not_current');
    const status = async () => ((await (await ctx.api.call(`/v1/tasks/${created.id}`)).json()) as { status: string }).status;
    expect(await status()).toBe('dispatched');
    expect((await agent(`/tasks/${created.id}/started`, { turn: 1, tmuxSession: `sy-${created.id}`, leaseToken: lease!.leaseToken })).status).toBe(200);
    const end = { turn: 1, outcome: 'exited', exitCode: 0, signal: null, lastSeq: 0, summary: { ...emptySummary(), resultSubtype: 'success', isError: false }, reason: null, stderrTail: null };
    expect((await agent(`/tasks/${created.id}/finished`, { ...end, leaseToken: 'an-older-lease' })).status).toBe(409);
    expect(await status()).toBe('running');
    expect((await agent(`/tasks/${created.id}/finished`, { ...end, leaseToken: lease!.leaseToken })).status).toBe(200);
    expect(await status()).toBe('completed');
  });
});

describe('agent protocol version at register', () => {
  it('refuses an agent older than the previous minor version with 426 agent_too_old, naming the upgrade', async () => {
    const res = await agent('/register', registration('pod-old', { protocolVersion: '0.9' }));
    expect(res.status).toBe(426);
    const { error } = (await res.json()) as { error: { code: string; message: string; details: Record<string, unknown> } };
    expect(error.code).toBe('agent_too_old');
    expect(error.message).toMatch(/upgrade the agent/);
    expect(error.details).toEqual({ protocolVersion: '0.9', supported: ['1.2', '1.1', '1.0'] });
    const agents = (await (await ctx.api.call('/v1/agents')).json()) as { agents: { hostname: string }[] };
    expect(agents.agents.map((a) => a.hostname)).not.toContain('pod-old');
  });

  it.each([
    ['none (a v0.1.0 agent)', undefined],
    ['1.0', '1.0'],
    ['1.1', '1.1'],
    ['1.2', '1.2'],
  ])('serves an agent of protocol %s', async (_name, protocolVersion) => {
    const res = await agent('/register', registration(`pod-v${protocolVersion ?? 'none'}`, protocolVersion ? { protocolVersion } : {}));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { agentId: string }).agentId).toMatch(/^agt_/);
  });
});
