import type { ApprovalDecision, ApprovalStatus, ApprovalView } from '@switchyard/core';
import { findTeam, findWorkspace, type ApprovalRow, type Db } from '@switchyard/db';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

export function approvalView(db: Db, a: ApprovalRow): ApprovalView {
  return {
    id: a.id,
    taskId: a.taskId,
    workspace: a.workspaceId ? (findWorkspace(db, a.workspaceId)?.name ?? null) : null,
    team: findTeam(db, a.teamId)?.name ?? a.teamId,
    turn: a.turn,
    toolName: a.toolName,
    toolUseId: a.toolUseId,
    input: a.input,
    status: a.status as ApprovalStatus,
    decision: a.decision as ApprovalDecision | null,
    message: a.message,
    updatedInput: a.updatedInput,
    answeredBy: a.answeredBy,
    rule: a.rule,
    createdAt: new Date(a.createdAt).toISOString(),
    answeredAt: iso(a.answeredAt),
    expiresAt: new Date(a.expiresAt).toISOString(),
  };
}
