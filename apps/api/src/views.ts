import {
  tmuxSessionName,
  type AgentView,
  type AuditEntry,
  type ClaudeOptions,
  type TaskStatus,
  type TaskView,
  type TeamView,
  type Todo,
  type TokenView,
  type TurnView,
  type Usage,
  type WorkspaceView,
} from '@switchyard/core';
import {
  countTasks,
  findTeam,
  findWorkspace,
  listAgents,
  listTurns,
  quotaOf,
  type AgentRow,
  type AuditRow,
  type Db,
  type TaskRow,
  type TeamRow,
  type TokenRow,
  type WorkspaceRow,
} from '@switchyard/db';
import type { Scheduler } from '@switchyard/scheduler';

const iso = (t: number | null | undefined): string | null => (t == null ? null : new Date(t).toISOString());
const isoNow = (t: number): string => new Date(t).toISOString();

const EMPTY_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };

export function taskView(db: Db, t: TaskRow): TaskView {
  const ws = t.workspaceId ? findWorkspace(db, t.workspaceId) : undefined;
  const team = findTeam(db, t.teamId);
  const tmux = tmuxSessionName(t.id);
  return {
    id: t.id,
    workspace: ws?.name ?? null,
    team: team?.name ?? t.teamId,
    status: t.status as TaskStatus,
    prompt: t.prompt,
    workdir: t.workdir,
    priority: t.priority,
    labels: t.labels,
    options: t.options as ClaudeOptions,
    maxDurationSec: t.maxDurationSec,
    idleTimeoutSec: t.idleTimeoutSec,
    sessionId: t.sessionId,
    exitCode: t.exitCode,
    result: t.result,
    isError: t.isError,
    costUsd: t.costUsd,
    numTurns: t.numTurns,
    durationMs: t.durationMs,
    usage: { ...EMPTY_USAGE, ...(t.usage ?? {}) },
    todos: (t.todos ?? []) as Todo[],
    error: t.errorCode ? { code: t.errorCode, message: t.errorMessage ?? t.errorCode } : null,
    rateLimitedUntil: iso(t.rateLimitedUntil),
    attempts: t.attempts,
    lastSeq: t.lastSeq,
    turns: listTurns(db, t.id).map(
      (r): TurnView => ({
        n: r.n,
        prompt: r.prompt,
        status: r.status as TurnView['status'],
        exitCode: r.exitCode,
        outcome: r.outcome as TurnView['outcome'],
        result: r.result,
        isError: r.isError,
        costUsd: r.costUsd,
        numTurns: r.numTurns,
        durationMs: r.durationMs,
        startSeq: r.startSeq,
        endSeq: r.endSeq,
        createdAt: isoNow(r.createdAt),
        startedAt: iso(r.startedAt),
        finishedAt: iso(r.finishedAt),
      }),
    ),
    attach: { tmuxSession: tmux, command: `tmux attach -t ${tmux}` },
    createdBy: t.createdBy,
    createdAt: isoNow(t.createdAt),
    updatedAt: isoNow(t.updatedAt),
    startedAt: iso(t.startedAt),
    finishedAt: iso(t.finishedAt),
  };
}

export function agentView(a: AgentRow, workspaceName: string, online: boolean): AgentView {
  return {
    id: a.id,
    workspace: workspaceName,
    hostname: a.hostname,
    agentVersion: a.agentVersion,
    claudeVersion: a.claudeVersion,
    tmuxVersion: a.tmuxVersion,
    simulated: a.simulated,
    slots: a.slots,
    freeSlots: a.freeSlots,
    problems: a.problems,
    online,
    lastSeenAt: isoNow(a.lastSeenAt),
    registeredAt: isoNow(a.registeredAt),
  };
}

export function workspaceView(db: Db, scheduler: Scheduler, ws: WorkspaceRow): WorkspaceView {
  const agents = listAgents(db, ws.id);
  const current = agents.find((a) => scheduler.isOnline(a)) ?? agents.sort((a, b) => b.lastSeenAt - a.lastSeenAt)[0];
  const problems = scheduler.workspaceProblems(ws);
  return {
    id: ws.id,
    name: ws.name,
    team: findTeam(db, ws.teamId)?.name ?? ws.teamId,
    maxConcurrency: ws.maxConcurrency,
    paused: ws.paused,
    pool: ws.pool,
    rateLimitScope: ws.rateLimitScope,
    labels: ws.labels,
    workdirRoots: ws.workdirRoots,
    rateLimitedUntil: iso(ws.rateLimitedUntil && ws.rateLimitedUntil > Date.now() ? ws.rateLimitedUntil : null),
    ready: problems.length === 0,
    problems,
    agent: current ? agentView(current, ws.name, scheduler.isOnline(current)) : null,
    running: countTasks(db, { workspaceId: ws.id, statuses: ['dispatched', 'running'] }),
    queued: countTasks(db, { workspaceId: ws.id, statuses: ['queued', 'rate_limited'] }),
    createdAt: isoNow(ws.createdAt),
  };
}

export function teamView(t: TeamRow): TeamView {
  return { id: t.id, name: t.name, quota: quotaOf(t), createdAt: isoNow(t.createdAt) };
}

export function tokenView(db: Db, t: TokenRow): TokenView {
  return {
    id: t.id,
    kind: t.kind,
    name: t.name,
    role: t.role,
    team: t.teamId ? (findTeam(db, t.teamId)?.name ?? t.teamId) : null,
    workspace: t.workspaceId ? (findWorkspace(db, t.workspaceId)?.name ?? t.workspaceId) : null,
    defaultWorkspace: t.defaultWorkspaceId ? (findWorkspace(db, t.defaultWorkspaceId)?.name ?? null) : null,
    prefix: t.prefix,
    createdAt: isoNow(t.createdAt),
    lastUsedAt: iso(t.lastUsedAt),
    expiresAt: iso(t.expiresAt),
    revokedAt: iso(t.revokedAt),
  };
}

export function auditView(a: AuditRow): AuditEntry {
  return {
    id: a.id,
    ts: isoNow(a.ts),
    actor: a.actor,
    action: a.action,
    targetType: a.targetType,
    targetId: a.targetId,
    details: a.details,
  };
}
