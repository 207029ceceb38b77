import type { ApprovalVerdict, ApprovalView, Lease, TaskView } from '@switchyard/core';
import type { TestApi } from './api.ts';
import { HandAgent } from './hand-agent.ts';

// Helpers of the approvals tests (#15): the agent's side of an approval played by hand over HTTP.

export interface Sent<T = any> {
  status: number;
  body: T;
}

export async function send<T = any>(api: TestApi, path: string, init: { method?: string; json?: unknown; token?: string } = {}): Promise<Sent<T>> {
  const res = await api.call(path, { method: init.method ?? (init.json === undefined ? 'GET' : 'POST'), json: init.json, token: init.token });
  return { status: res.status, body: (await res.json()) as T };
}

let uses = 0;

/** A task created, leased to `agent` and started: claude is running and may ask. */
export async function runningTask(api: TestApi, agent: HandAgent, extra: Record<string, unknown> = {}): Promise<{ task: TaskView; lease: Lease }> {
  const created = await send<TaskView>(api, '/v1/tasks', { json: { workspace: 'local', workdir: '/tmp', prompt: 'do it', ...extra } });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const lease = agent.hold(await agent.lease(created.body.id));
  await agent.start(created.body.id);
  return { task: created.body, lease };
}

/** What the agent relays when claude asks about a tool call. */
export function ask(api: TestApi, agent: HandAgent, lease: Lease, toolName: string, input: Record<string, unknown>, toolUseId = `toolu_${++uses}`): Promise<Sent<ApprovalVerdict>> {
  return send(api, `/agent/v1/tasks/${lease.taskId}/approvals`, { token: agent.token, json: { leaseToken: lease.leaseToken, turn: lease.turn, toolName, toolUseId, input } });
}

/** The agent's long-poll for the answer. */
export function waitVerdict(api: TestApi, agent: HandAgent, id: string, waitMs = 0): Promise<Sent<ApprovalVerdict>> {
  return send(api, `/agent/v1/approvals/${id}?waitMs=${waitMs}`, { token: agent.token });
}

export const answer = (api: TestApi, id: string, json: Record<string, unknown>, token?: string): Promise<Sent<ApprovalView & { error: { code: string; details: Record<string, unknown> } }>> =>
  send(api, `/v1/approvals/${id}`, { json, token });

export async function userToken(api: TestApi, body: Record<string, unknown>): Promise<string> {
  const res = await send<{ token: string }>(api, '/v1/tokens', { json: body });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.token;
}

/** The audit rows written for an approval, oldest first. */
export async function auditOf(api: TestApi, approvalId: string): Promise<{ actor: string; action: string; details: Record<string, unknown> }[]> {
  const res = await send<{ entries: { actor: string; action: string; details: Record<string, unknown> }[] }>(api, `/v1/audit?target=${approvalId}`);
  return res.body.entries.reverse();
}
