import {
  ConflictError,
  DEFAULT_APPROVAL_POLICY,
  evaluatePolicy,
  MAX_APPROVAL_INPUT_BYTES,
  NotFoundError,
  PayloadTooLargeError,
  taskRuleFor,
  TurnNotCurrentError,
  ValidationError,
  type ApprovalAnswerRequest,
  type ApprovalRequest,
  type ApprovalVerdict,
} from '@switchyard/core';
import {
  addTaskApprovalRule,
  findApproval,
  findApprovalByToolUse,
  findTask,
  findWorkspace,
  insertApproval,
  settleApproval,
  writeAudit,
  type ApprovalRow,
  type DbHandle,
  type TaskRow,
} from '@switchyard/db';
import type { Logger } from 'pino';
import type { Hub } from '@switchyard/scheduler';
import { assertCanWrite, canSee } from '../auth.ts';
import type { Principal } from '../context.ts';
import { ApprovalClock, verdictOf } from './state.ts';

export interface ApprovalServiceDeps {
  db: DbHandle;
  hub: Hub;
  logger: Logger;
  now: () => number;
}

/** The longest an agent's long-poll for an answer is held. */
export const MAX_APPROVAL_WAIT_MS = 25_000;

const jsonBytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v), 'utf8');
const hasNul = (v: unknown): boolean => JSON.stringify(v).includes('\\u0000');

/**
 * Approvals (#15): the agent asks, the workspace policy or a person answers, the agent's
 * long-poll hears it. Every answer and its audit row are one transaction.
 */
export class ApprovalService {
  readonly clock: ApprovalClock;
  /** Long-polls waiting on an approval, by id, woken by its hub event. */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly deps: ApprovalServiceDeps) {
    this.clock = new ApprovalClock(deps.db, deps.hub, deps.now);
    deps.hub.on('approval', (a) => {
      for (const wake of [...(this.waiters.get(a.id) ?? [])]) wake();
    });
    // A turn that ends leaves no claude waiting: its pending approvals close with the reason. A
    // task just created (never changed since) has none to look for; a retried one may.
    deps.hub.on('task', (t) => {
      if (t.status === 'running' || t.status === 'dispatched' || t.updatedAt === t.createdAt) return;
      this.clock.closeGone(t.id);
    });
  }

  /** `POST /agent/v1/tasks/{id}/approvals`: the same call asked again returns the same approval. */
  request(workspaceId: string, taskId: string, body: ApprovalRequest): ApprovalVerdict {
    const { db: h, hub, now } = this.deps;
    const task = findTask(h.db, taskId);
    if (!task || task.workspaceId !== workspaceId) throw new NotFoundError('task', taskId);
    const known = findApprovalByToolUse(h.db, task.id, body.toolUseId);
    if (known) return verdictOf(this.clock.refresh(known));
    const current = task.status === 'running' || task.status === 'dispatched';
    if (!current || task.currentTurn !== body.turn || (task.leaseToken !== null && task.leaseToken !== body.leaseToken)) {
      throw new TurnNotCurrentError(task.id, body.turn);
    }
    const ws = findWorkspace(h.db, workspaceId)!;
    const policy = ws.approvalPolicy ?? DEFAULT_APPROVAL_POLICY;
    const t = now();
    const settled = this.prejudge(task, body, policy);
    const row = h.tx(() => {
      const base = { taskId: task.id, teamId: task.teamId, workspaceId, turn: body.turn, toolUseId: body.toolUseId, toolName: body.toolName, expiresAt: t + policy.timeoutSec * 1000 };
      const tooBig = settled?.tooBig === true;
      const { row: r, created } = insertApproval(h.db, { ...base, input: tooBig ? {} : body.input, status: 'pending' }, t);
      if (!created || !settled) return r;
      const done = settleApproval(h.db, r.id, { status: settled.status, message: settled.message ?? null, rule: settled.rule, answeredBy: 'policy' }, t)!;
      writeAudit(h.db, { actor: 'policy', teamId: task.teamId, action: `approval.${settled.status}`, targetType: 'approval', targetId: r.id, details: { taskId: task.id, toolName: body.toolName, rule: settled.rule } }, t);
      return done;
    });
    hub.emit('approval', row);
    this.deps.logger.info({ taskId: task.id, approvalId: row.id, toolName: row.toolName, status: row.status, rule: row.rule }, 'approval requested');
    return verdictOf(row);
  }

  /** `GET /agent/v1/approvals/{id}?waitMs=`: the verdict, waiting up to `waitMs` for an answer. */
  async verdict(workspaceId: string, id: string, waitMs: number, signal: AbortSignal): Promise<ApprovalVerdict> {
    const deadline = Date.now() + Math.min(Math.max(0, waitMs), MAX_APPROVAL_WAIT_MS);
    for (;;) {
      const found = findApproval(this.deps.db.db, id);
      if (!found || found.workspaceId !== workspaceId) throw new NotFoundError('approval', id);
      const row = this.clock.refresh(found);
      const left = deadline - Date.now();
      if (row.status !== 'pending' || left <= 0 || signal.aborted) return verdictOf(row);
      await this.waitFor(id, Math.min(left, Math.max(1, row.expiresAt - this.deps.now())), signal);
    }
  }

  /** An approval the principal may see (404 otherwise), brought up to date. */
  visible(p: Principal, id: string): ApprovalRow {
    const row = findApproval(this.deps.db.db, id);
    if (!row || !canSee(p, row.teamId)) throw new NotFoundError('approval', id);
    return this.clock.refresh(row);
  }

  /** `POST /v1/approvals/{id}`: a person's answer; 409 once it is no longer pending. */
  answer(p: Principal, id: string, body: ApprovalAnswerRequest): ApprovalRow {
    const { db: h, hub, now } = this.deps;
    const current = this.visible(p, id);
    assertCanWrite(p, current.teamId, 'approval', id);
    const allow = body.decision !== 'deny';
    if (!allow && body.updatedInput) throw new ValidationError('updatedInput goes with an allow, not a deny', { field: 'updatedInput' });
    if (body.updatedInput && jsonBytes(body.updatedInput) > MAX_APPROVAL_INPUT_BYTES) {
      throw new PayloadTooLargeError(`updatedInput is over ${MAX_APPROVAL_INPUT_BYTES} bytes`, { field: 'updatedInput', limit: MAX_APPROVAL_INPUT_BYTES });
    }
    if (body.updatedInput && hasNul(body.updatedInput)) throw new ValidationError('updatedInput may not contain NUL characters', { field: 'updatedInput' });
    if (body.message?.includes('\0')) throw new ValidationError('message may not contain NUL characters', { field: 'message' });
    if (current.status !== 'pending') throw notPending(current);
    const t = now();
    const rule = body.decision === 'allow_for_task' ? taskRuleFor(current.toolName, current.input) : null;
    const message = allow ? null : (body.message?.trim() || `denied by ${p.name}`);
    const row = h.tx(() => {
      const r = settleApproval(h.db, id, { status: allow ? 'allowed' : 'denied', decision: body.decision, message, updatedInput: allow ? (body.updatedInput ?? null) : null, answeredBy: p.name, rule }, t);
      if (!r) return undefined;
      if (rule) addTaskApprovalRule(h.db, r.taskId, rule);
      const details = { taskId: r.taskId, toolName: r.toolName, decision: body.decision, ...(rule ? { rule } : {}), ...(body.updatedInput ? { editedInput: true } : {}), ...(message ? { message } : {}) };
      writeAudit(h.db, { actor: p.name, teamId: r.teamId, action: `approval.${r.status}`, targetType: 'approval', targetId: r.id, details }, t);
      return r;
    });
    if (!row) throw notPending(findApproval(h.db, id)!);
    hub.emit('approval', row);
    this.deps.logger.info({ taskId: row.taskId, approvalId: row.id, decision: body.decision, actor: p.name }, 'approval answered');
    return row;
  }

  /** What the policy answers at once (or a refusal of an unusable input); null: a person decides. */
  private prejudge(task: TaskRow, body: ApprovalRequest, policy: typeof DEFAULT_APPROVAL_POLICY) {
    if (jsonBytes(body.input) > MAX_APPROVAL_INPUT_BYTES) {
      return { status: 'denied' as const, message: `the tool input is too large to review (over ${MAX_APPROVAL_INPUT_BYTES} bytes); try a smaller change`, rule: null, tooBig: true };
    }
    if (hasNul(body.input)) return { status: 'denied' as const, message: 'the tool input contains NUL characters', rule: null, tooBig: true };
    const v = evaluatePolicy(policy, { toolName: body.toolName, input: body.input, workdir: task.workdir }, task.approvalRules);
    if (v.effect === 'ask') return null;
    const status = v.effect === 'allow' ? ('allowed' as const) : ('denied' as const);
    const message = status === 'denied' ? `denied by the workspace policy (${v.rule ? `rule ${v.rule}` : 'its default'})` : null;
    return { status, message, rule: v.rule ?? '(default)', tooBig: false };
  }

  private waitFor(id: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(id);
      if (!set) this.waiters.set(id, (set = new Set()));
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }
}

/** 409 with the approval's current status. */
function notPending(a: ApprovalRow): ConflictError {
  return new ConflictError(`approval ${a.id} is ${a.status}, no longer pending`, { status: a.status });
}
