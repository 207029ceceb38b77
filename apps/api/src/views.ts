import {
  claudeVersionTested,
  DEFAULT_APPROVAL_POLICY,
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
  countPendingApprovals,
  countSlotsAwaitingApproval,
  countTasks,
  findAgent,
  listAgents,
  listTurns,
  quotaOf,
  teamName,
  type AgentRow,
  type AuditRow,
  type Db,
  type TaskRow,
  type TeamRow,
  type TokenRow,
  type TurnRow,
  type WorkspaceRow,
  workspaceName,
} from '@switchyard/db';
import type { Scheduler } from '@switchyard/scheduler';

let lastIso = { t: NaN, s: '' };
/** The ISO time of `t`; a task's times are often the same instant (a create sets three), made once. */
const isoNow = (t: number): string => {
  if (t !== lastIso.t) lastIso = { t, s: new Date(t).toISOString() };
  return lastIso.s;
};
const iso = (t: number | null | undefined): string | null => (t == null ? null : isoNow(t));

const EMPTY_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };

/** A word for a POSIX shell, quoted only when it needs to be, so the command copy-pastes. */
export const shellQuote = (s: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** How to watch a turn: on the agent's private tmux server when its socket is known. */
export function attachCommand(session: string, socket: string | null | undefined): string {
  return socket ? `tmux -S ${shellQuote(socket)} attach -t ${session}` : `tmux attach -t ${session}`;
}

/** What a turn's stored summary says beyond its columns: refused tool calls, the todo tool. */
function summaryOf(r: TurnRow): { denials: { toolName: string; input: unknown }[]; todoSource: TaskView['todoSource']; structuredOutput: unknown } {
  const s = (r.summary ?? {}) as { denials?: { toolName?: unknown; input?: unknown }[]; todoSource?: unknown; structuredOutput?: unknown };
  const denials = Array.isArray(s.denials) ? s.denials.map((d) => ({ toolName: String(d.toolName ?? 'unknown'), input: d.input ?? null })) : [];
  const todoSource = s.todoSource === 'TodoWrite' || s.todoSource === 'TaskCreate' ? s.todoSource : null;
  return { denials, todoSource, structuredOutput: s.structuredOutput };
}

/** `t` for clients; `turnRows` when the caller already holds them (a task it just created). */
export function taskView(db: Db, t: TaskRow, turnRows: TurnRow[] = listTurns(db, t.id)): TaskView {
  const tmux = tmuxSessionName(t.id);
  const turns = turnRows.map((r) => ({ r, ...summaryOf(r) }));
  return {
    id: t.id,
    workspace: t.workspaceId ? (workspaceName(db, t.workspaceId) ?? null) : null,
    team: teamName(db, t.teamId) ?? t.teamId,
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
    todoSource: turns.map((x) => x.todoSource).filter(Boolean).at(-1) ?? null,
    permissionDenials: turns.flatMap((x) => x.denials.map((d) => ({ turn: x.r.n, ...d }))),
    ...(turns.at(-1)?.structuredOutput !== undefined ? { structuredOutput: turns.at(-1)!.structuredOutput } : {}),
    error: t.errorCode ? { code: t.errorCode, message: t.errorMessage ?? t.errorCode } : null,
    rateLimitedUntil: iso(t.rateLimitedUntil),
    attempts: t.attempts,
    lastSeq: t.lastSeq,
    pendingApprovals: t.status === 'running' || t.status === 'dispatched' ? countPendingApprovals(db, t.id, t.currentTurn) : 0,
    turns: turns.map(
      ({ r, denials }): TurnView => ({
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
        permissionDenials: denials,
        createdAt: isoNow(r.createdAt),
        startedAt: iso(r.startedAt),
        finishedAt: iso(r.finishedAt),
      }),
    ),
    attach: { tmuxSession: tmux, command: attachCommand(tmux, t.agentId ? findAgent(db, t.agentId)?.tmuxSocket : null) },
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
    claudeVersionTested: claudeVersionTested(a.claudeVersion, a.simulated),
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

/** What stands in for an admin document (MCP config, settings, system prompt) shown to a non-admin. */
export const REDACTED = '(set by an admin; shown to admins only)';

/**
 * A workspace as `viewer` may see it. The admin-only documents can hold credentials (an MCP
 * server's token, an API key in settings), so only admins read them; others see that they are set.
 */
export function workspaceView(db: Db, scheduler: Scheduler, ws: WorkspaceRow, viewer: { role: string } = { role: 'admin' }): WorkspaceView {
  const admin = viewer.role === 'admin';
  const hidden = <T>(v: T | null): T | Record<string, string> | null => (v === null || admin ? v : { redacted: REDACTED });
  const agents = listAgents(db, ws.id);
  const current = agents.find((a) => scheduler.isOnline(a)) ?? agents.sort((a, b) => b.lastSeenAt - a.lastSeenAt)[0];
  const problems = scheduler.workspaceProblems(ws);
  return {
    id: ws.id,
    name: ws.name,
    team: teamName(db, ws.teamId) ?? ws.teamId,
    maxConcurrency: ws.maxConcurrency,
    paused: ws.paused,
    pool: ws.pool,
    rateLimitScope: ws.rateLimitScope,
    labels: ws.labels,
    workdirRoots: ws.workdirRoots,
    permissionModes: ws.permissionModes,
    defaultPermissionMode: ws.defaultPermissionMode,
    allowedTools: ws.allowedTools,
    disallowedTools: ws.disallowedTools,
    addDirs: ws.addDirs,
    mcpConfig: hidden(ws.mcpConfig),
    settings: hidden(ws.settings),
    systemPrompt: ws.systemPrompt === null || admin ? ws.systemPrompt : REDACTED,
    models: ws.models,
    rateLimitedUntil: iso(ws.rateLimitedUntil && ws.rateLimitedUntil > Date.now() ? ws.rateLimitedUntil : null),
    ready: problems.length === 0,
    problems,
    agent: current ? agentView(current, ws.name, scheduler.isOnline(current)) : null,
    running: countTasks(db, { workspaceId: ws.id, statuses: ['dispatched', 'running'] }),
    queued: countTasks(db, { workspaceId: ws.id, statuses: ['queued', 'rate_limited'] }),
    approvalPolicy: ws.approvalPolicy ?? DEFAULT_APPROVAL_POLICY,
    slotsAwaitingApproval: countSlotsAwaitingApproval(db, ws.id),
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
    team: t.teamId ? (teamName(db, t.teamId) ?? t.teamId) : null,
    workspace: t.workspaceId ? (workspaceName(db, t.workspaceId) ?? t.workspaceId) : null,
    defaultWorkspace: t.defaultWorkspaceId ? (workspaceName(db, t.defaultWorkspaceId) ?? null) : null,
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
