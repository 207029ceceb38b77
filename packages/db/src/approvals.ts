import { and, desc, eq, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import { newId } from '@switchyard/core';
import type { Db } from './client.ts';
import { prepared } from './prepared.ts';
import { approvals, tasks } from './schema.ts';

export type ApprovalRow = typeof approvals.$inferSelect;
export type NewApproval = Omit<typeof approvals.$inferInsert, 'id' | 'createdAt'>;

/** What `/v1/approvals` filters on; every field optional. `teamIds` null means every team. */
export interface ApprovalFilter {
  status?: string;
  teamIds?: string[] | null;
  workspaceId?: string;
  taskId?: string;
  /** Only approvals created before this id's row (the next page). */
  beforeCreatedAt?: number;
  limit: number;
}

/**
 * Inserts the approval for (task, toolUseId), or returns the one already there: an agent that
 * restarts and asks again for the same call gets the same approval.
 */
export function insertApproval(db: Db, values: NewApproval, now: number): { row: ApprovalRow; created: boolean } {
  const existing = findApprovalByToolUse(db, values.taskId, values.toolUseId);
  if (existing) return { row: existing, created: false };
  const row = db
    .insert(approvals)
    .values({ ...values, id: newId('apr'), createdAt: now })
    .returning()
    .get();
  return { row, created: true };
}

export function findApproval(db: Db, id: string): ApprovalRow | undefined {
  return db.select().from(approvals).where(eq(approvals.id, id)).get();
}

export function findApprovalByToolUse(db: Db, taskId: string, toolUseId: string): ApprovalRow | undefined {
  return db
    .select()
    .from(approvals)
    .where(and(eq(approvals.taskId, taskId), eq(approvals.toolUseId, toolUseId)))
    .get();
}

/** Newest first, bounded. */
export function listApprovals(db: Db, f: ApprovalFilter): ApprovalRow[] {
  const where: SQL[] = [];
  if (f.status) where.push(eq(approvals.status, f.status));
  if (f.teamIds) where.push(f.teamIds.length ? inArray(approvals.teamId, f.teamIds) : sql`0`);
  if (f.workspaceId) where.push(eq(approvals.workspaceId, f.workspaceId));
  if (f.taskId) where.push(eq(approvals.taskId, f.taskId));
  if (f.beforeCreatedAt !== undefined) where.push(lt(approvals.createdAt, f.beforeCreatedAt));
  return db
    .select()
    .from(approvals)
    .where(and(...where))
    .orderBy(desc(approvals.createdAt), desc(approvals.id))
    .limit(f.limit)
    .all();
}

/**
 * Moves a pending approval to its answer; returns the new row, or undefined when it was no longer
 * pending (answered, expired or closed meanwhile): the first answer wins.
 */
export function settleApproval(
  db: Db,
  id: string,
  patch: Pick<ApprovalRow, 'status'> & Partial<Pick<ApprovalRow, 'decision' | 'message' | 'updatedInput' | 'answeredBy' | 'rule'>>,
  now: number,
): ApprovalRow | undefined {
  return db
    .update(approvals)
    .set({ ...patch, answeredAt: now })
    .where(and(eq(approvals.id, id), eq(approvals.status, 'pending')))
    .returning()
    .get();
}

/** Pending approvals past their deadline, oldest first. */
export function listExpiredApprovals(db: Db, now: number, limit = 100): ApprovalRow[] {
  return db
    .select()
    .from(approvals)
    .where(and(eq(approvals.status, 'pending'), lte(approvals.expiresAt, now)))
    .orderBy(approvals.expiresAt)
    .limit(limit)
    .all();
}

/** Every pending approval (few: each holds a claude waiting), optionally of one task. */
export function listPendingApprovals(db: Db, taskId?: string): ApprovalRow[] {
  // Every status change of every task asks for its task's: a statement prepared once.
  if (taskId) {
    const stmt = prepared(db, 'listPendingApprovalsOfTask', (d) =>
      d.select().from(approvals).where(and(eq(approvals.status, 'pending'), eq(approvals.taskId, sql.placeholder('taskId')))).prepare(),
    );
    return stmt.all({ taskId });
  }
  return db.select().from(approvals).where(eq(approvals.status, 'pending')).all();
}

/** Pending approvals of a task's turn: what its view shows. */
export function countPendingApprovals(db: Db, taskId: string, turn: number): number {
  const stmt = prepared(db, 'countPendingApprovals', (d) =>
    d
      .select({ n: sql<number>`count(*)` })
      .from(approvals)
      .where(and(eq(approvals.taskId, sql.placeholder('taskId')), eq(approvals.status, 'pending'), eq(approvals.turn, sql.placeholder('turn'))))
      .prepare(),
  );
  return stmt.get({ taskId, turn })?.n ?? 0;
}

/** Running tasks of a workspace with at least one pending approval: slots waiting on people. */
export function countSlotsAwaitingApproval(db: Db, workspaceId: string): number {
  const row = db
    .select({ n: sql<number>`count(distinct ${approvals.taskId})` })
    .from(approvals)
    .innerJoin(tasks, eq(tasks.id, approvals.taskId))
    .where(
      and(
        eq(approvals.workspaceId, workspaceId),
        eq(approvals.status, 'pending'),
        eq(tasks.status, 'running'),
        eq(tasks.currentTurn, approvals.turn),
      ),
    )
    .get();
  return row?.n ?? 0;
}

/** Adds a rule to those a person allowed for the rest of a task; returns the task's rules. */
export function addTaskApprovalRule(db: Db, taskId: string, rule: string): string[] {
  const task = db.select({ rules: tasks.approvalRules }).from(tasks).where(eq(tasks.id, taskId)).get();
  const rules = task?.rules ?? [];
  if (rules.includes(rule) || rules.length >= 100) return rules;
  const next = [...rules, rule];
  db.update(tasks).set({ approvalRules: next }).where(eq(tasks.id, taskId)).run();
  return next;
}
