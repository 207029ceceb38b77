import type { Quota, TaskCreate, TeamDaily, TokenCreate, WorkspaceCreate, WorkspacePatch, WorkspaceSeries } from '@switchyard/core';
import { agent, agentToken, approval, auditEntry, outputLines, queuedTask, task, team, token, usage, workspace } from './entities.ts';

/** An operation's examples: its request body (when it takes one) and a response per status. */
export interface OperationExamples {
  request?: unknown;
  responses: Record<string, unknown>;
}

const taskCreate: TaskCreate = {
  workspace: 'payments-api',
  prompt: 'Fix the flaky retry test in src/retry.test.ts',
  workdir: '/work/payments-api',
  labels: { ticket: 'ENG-1234' },
  permissionMode: 'acceptEdits',
  maxDurationSec: 1800,
};
const workspaceCreate: WorkspaceCreate = { name: 'payments-api', team: 'payments', maxConcurrency: 2, workdirRoots: ['/work'], labels: { repo: 'payments-api' } };
const workspacePatch: WorkspacePatch = { paused: true, labels: { repo: 'payments-api', freeze: 'release-2026-11' } };
const quota: Quota = { maxRunning: 4, maxQueued: 100, tasksPerDay: 200, monthlyBudgetUsd: 500 };
const tokenCreate: TokenCreate = { name: 'ci-bot', role: 'member', team: 'payments', defaultWorkspace: 'payments-api' };
const series: WorkspaceSeries = {
  since: '2026-11-26T04:15:00.000Z',
  until: '2026-11-26T05:15:00.000Z',
  intervalSec: 60,
  workspaces: [{ workspace: 'payments-api', team: 'payments', samples: [{ ts: '2026-11-26T05:14:00.000Z', queued: 3, running: 2 }] }],
};
const daily: TeamDaily = {
  days: ['2026-11-25', '2026-11-26'],
  teams: [{ team: 'payments', days: [{ day: '2026-11-25', tasks: 31, costUsd: 12.8 }, { day: '2026-11-26', tasks: 12, costUsd: 4.2 }] }],
};
const sse = [
  ...outputLines.map((l) => `event: line\ndata: ${JSON.stringify(l)}\nid: ${l.seq}\n`),
  `event: status\ndata: ${JSON.stringify({ status: 'completed', rateLimitedUntil: null })}\n`,
  `event: end\ndata: ${JSON.stringify(task)}\n`,
].join('\n');

/**
 * An example request and response for every operation of `/v1`, by `METHOD path` as the
 * document names them. A new route without one here fails the reference test.
 */
export const OPERATION_EXAMPLES: Record<string, OperationExamples> = {
  'POST /tasks': { request: taskCreate, responses: { 201: queuedTask, 200: queuedTask } },
  'GET /tasks': { responses: { 200: { tasks: [task], nextCursor: 'MTc5NTY3MDEwNTY0MTp0c2tfMG13eDNtOTBrZmZlZjQ2ZGJkNA' } } },
  'GET /tasks/{id}': { responses: { 200: task } },
  'GET /tasks/{id}/output': { responses: { 200: `${outputLines.map((l) => l.line).join('\n')}\n` } },
  'GET /tasks/{id}/events': { responses: { 200: { events: outputLines, nextAfter: 42, status: 'completed', done: true } } },
  'POST /tasks/{id}/messages': { request: { prompt: 'Now add a test for the jitter too.' }, responses: { 202: { ...task, status: 'queued' } } },
  'POST /tasks/{id}/kill': { responses: { 200: { ...task, status: 'killed', error: { code: 'killed', message: 'killed by ci-bot' } } } },
  'GET /workspaces': { responses: { 200: { workspaces: [workspace] } } },
  'POST /workspaces': { request: workspaceCreate, responses: { 201: { ...workspace, ready: false, problems: ['no agent online'], agent: null, running: 0 } } },
  'GET /workspaces/{ref}': { responses: { 200: workspace } },
  'PATCH /workspaces/{ref}': { request: workspacePatch, responses: { 200: { ...workspace, ...workspacePatch, ready: false, problems: ['paused'] } } },
  'POST /workspaces/{ref}/agent-token': { responses: { 201: agentToken } },
  'GET /teams': { responses: { 200: { teams: [team] } } },
  'POST /teams': { request: { name: 'payments' }, responses: { 201: { ...team, quota: { maxRunning: null, maxQueued: null, tasksPerDay: null, monthlyBudgetUsd: null } } } },
  'GET /teams/{ref}': { responses: { 200: team } },
  'PUT /teams/{ref}/quota': { request: quota, responses: { 200: team } },
  'GET /teams/{ref}/usage': { responses: { 200: usage } },
  'GET /agents': { responses: { 200: { agents: [agent] } } },
  'GET /me': { responses: { 200: token } },
  'POST /tokens': { request: tokenCreate, responses: { 201: { ...token, lastUsedAt: null, token: 'syu_oKNq…the secret, shown only in this answer' } } },
  'GET /tokens': { responses: { 200: { tokens: [token] } } },
  'DELETE /tokens/{id}': { responses: { 200: { ...token, revokedAt: '2026-11-26T06:00:00.000Z' } } },
  'GET /audit': { responses: { 200: { entries: [auditEntry], nextCursor: '6' } } },
  'GET /admin/consistency': {
    responses: { 200: { ranAt: '2026-11-26T05:15:04.931Z', enqueued: ['tsk_0mwx3m90kffef46dbd4'], removedJobs: [], requeuedLeases: [], freedJobs: [] } },
  },
  'GET /search/tasks': { responses: { 200: { tasks: [task], nextCursor: null } } },
  'GET /stats/workspaces': { responses: { 200: series } },
  'GET /stats/teams': { responses: { 200: daily } },
  'GET /approvals': { responses: { 200: { approvals: [approval] } } },
  'GET /approvals/{id}': { responses: { 200: approval } },
  'POST /approvals/{id}': {
    request: { decision: 'allow_once', updatedInput: { command: 'npm test -- --run' } },
    responses: { 200: { ...approval, status: 'allowed', decision: 'allow_once', updatedInput: { command: 'npm test -- --run' }, answeredBy: 'alice', answeredAt: '2026-11-26T05:41:12.000Z' } },
  },
};

/** The SSE form of `GET /tasks/{id}/events`, by media type. */
export const MEDIA_EXAMPLES: Record<string, Record<string, unknown>> = {
  'GET /tasks/{id}/events': { 'text/event-stream': sse },
};
