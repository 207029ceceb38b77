import type { ApprovalAnswer, ApprovalVerdict, ApprovalStatus } from '@switchyard/core';
import {
  findTask,
  listExpiredApprovals,
  listPendingApprovals,
  settleApproval,
  writeAudit,
  type ApprovalRow,
  type DbHandle,
  type TaskRow,
} from '@switchyard/db';
import type { Hub } from '@switchyard/scheduler';

/** What claude reads when no one answered in time. */
export const timeoutMessage = (timeoutSec: number): string =>
  `no one answered within ${timeoutSec} s; ask again later or proceed without this tool`;

/** The answer claude's permission prompt tool returns for an approval, or null while pending. */
export function answerOf(a: ApprovalRow): ApprovalAnswer | null {
  if (a.status === 'pending') return null;
  if (a.status === 'allowed') return { behavior: 'allow', updatedInput: a.updatedInput ?? a.input };
  return { behavior: 'deny', message: a.message ?? `the approval was ${a.status}` };
}

export const verdictOf = (a: ApprovalRow): ApprovalVerdict => ({ approvalId: a.id, status: a.status as ApprovalStatus, answer: answerOf(a) });

/** Why an approval's claude can no longer be waiting for it; null while its turn runs. */
export function goneReason(a: ApprovalRow, task: TaskRow | undefined): string | null {
  if (!task) return 'the task no longer exists';
  if (task.currentTurn !== a.turn) return `turn ${a.turn} ended (the task is on turn ${task.currentTurn})`;
  if (task.status !== 'running' && task.status !== 'dispatched') return `turn ${a.turn} ended: the task is ${task.status}`;
  return null;
}

/**
 * Moves approvals that can no longer be answered: past their deadline → `expired` (a deny claude
 * reads), or whose turn has ended → `closed`. Each with its audit row, in one transaction.
 */
export class ApprovalClock {
  constructor(
    private readonly h: DbHandle,
    private readonly hub: Hub,
    private readonly now: () => number,
  ) {}

  /** The approval as it stands now: expired or closed first if it must be. */
  refresh(a: ApprovalRow): ApprovalRow {
    if (a.status !== 'pending') return a;
    const t = this.now();
    if (t >= a.expiresAt) {
      const timeoutSec = Math.round((a.expiresAt - a.createdAt) / 1000);
      return this.settle(a, 'expired', timeoutMessage(timeoutSec), 'approval.expired') ?? a;
    }
    const reason = goneReason(a, findTask(this.h.db, a.taskId));
    return reason ? (this.settle(a, 'closed', reason, 'approval.closed') ?? a) : a;
  }

  /** Expires every pending approval past its deadline; returns how many. */
  expireDue(): number {
    let n = 0;
    for (const a of listExpiredApprovals(this.h.db, this.now())) if (this.refresh(a).status !== 'pending') n += 1;
    return n;
  }

  /** Closes the pending approvals of a task whose turn has ended (or every task's, when none given). */
  closeGone(taskId?: string): void {
    for (const a of listPendingApprovals(this.h.db, taskId)) this.refresh(a);
  }

  private settle(a: ApprovalRow, status: 'expired' | 'closed', message: string, action: string): ApprovalRow | undefined {
    const t = this.now();
    const row = this.h.tx(() => {
      const r = settleApproval(this.h.db, a.id, { status, message }, t);
      if (r) writeAudit(this.h.db, { actor: 'system', teamId: a.teamId, action, targetType: 'approval', targetId: a.id, details: { taskId: a.taskId, toolName: a.toolName, reason: message } }, t);
      return r;
    });
    if (row) this.hub.emit('approval', row);
    return row;
  }
}
