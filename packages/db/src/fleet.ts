import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { agents, tasks } from './schema.ts';
import type { AgentRow } from './agents.ts';
import type { TaskRow } from './tasks.ts';

// The queries an agent's sync makes, once per sync per agent of a fleet of thousands: each goes
// through an index (migration 0004_fleet adds tasks by agent) and is prepared once per database.

const ACTIVE = ['dispatched', 'running'] as const;
const WAITING = ['queued', 'rate_limited'] as const;

function prepare(db: Db) {
  return {
    agentTasks: db
      .select()
      .from(tasks)
      .where(and(eq(tasks.agentId, sql.placeholder('agentId')), inArray(tasks.status, [...ACTIVE])))
      .orderBy(tasks.createdAt)
      .prepare(),
    waitingWorkspaces: db
      .selectDistinct({ id: tasks.workspaceId })
      .from(tasks)
      .where(and(eq(tasks.teamId, sql.placeholder('teamId')), inArray(tasks.status, [...WAITING])))
      .prepare(),
    poolWaits: db
      .select({ id: tasks.id })
      .from(tasks)
      .where(and(eq(tasks.teamId, sql.placeholder('teamId')), eq(tasks.status, 'queued'), isNull(tasks.workspaceId)))
      .limit(1)
      .prepare(),
    workspaceWaits: db
      .select({ id: tasks.id })
      .from(tasks)
      .where(and(eq(tasks.workspaceId, sql.placeholder('workspaceId')), inArray(tasks.status, [...WAITING])))
      .limit(1)
      .prepare(),
    poolMayWait: db
      .select({ id: tasks.id })
      .from(tasks)
      .where(
        and(
          eq(tasks.teamId, sql.placeholder('teamId')),
          inArray(tasks.status, [...WAITING]),
          or(isNull(tasks.workspaceId), eq(tasks.workspaceId, sql.placeholder('workspaceId'))),
        ),
      )
      .limit(1)
      .prepare(),
    silentAgents: db
      .select()
      .from(agents)
      .where(and(isNull(agents.lostAt), lt(agents.lastSeenAt, sql.placeholder('before'))))
      .prepare(),
    touch: db
      .update(agents)
      .set({ lastSeenAt: sql`${sql.placeholder('now')}`, freeSlots: sql`${sql.placeholder('freeSlots')}`, lostAt: null })
      .where(eq(agents.id, sql.placeholder('id')))
      .prepare(),
  };
}

const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();

function statements(db: Db): ReturnType<typeof prepare> {
  let s = prepared.get(db);
  if (!s) prepared.set(db, (s = prepare(db)));
  return s;
}

/** The agent's dispatched and running tasks, oldest first. */
export function listAgentTasks(db: Db, agentId: string): TaskRow[] {
  return statements(db).agentTasks.all({ agentId });
}

/** Workspaces of the team with a task waiting to be leased (not the pool's). */
export function workspacesWithWaitingWork(db: Db, teamId: string): string[] {
  const rows = statements(db).waitingWorkspaces.all({ teamId });
  return rows.flatMap((r) => (r.id ? [r.id] : []));
}

/** Whether a pool task of the team waits for a workspace. */
export function poolWorkWaits(db: Db, teamId: string): boolean {
  return statements(db).poolWaits.get({ teamId }) !== undefined;
}

/**
 * Whether a queue may hold a job for this workspace to lease: a queued or rate-limited task of
 * the workspace, or for the team's pool queue (`pool`) a pool task not yet pinned or pinned to
 * this workspace (a pool turn that started and waits again, a rate limit or a retry, keeps its
 * job in the pool queue). Rows are written before their jobs, so none means no job worth a round
 * trip to Redis; an idle fleet's looks then cost an index probe each.
 */
export function workMayWait(db: Db, workspaceId: string, pool?: { teamId: string }): boolean {
  const s = statements(db);
  if (pool) return s.poolMayWait.get({ teamId: pool.teamId, workspaceId }) !== undefined;
  return s.workspaceWaits.get({ workspaceId }) !== undefined;
}

/** Agents not yet taken for lost that were last heard from before `before`. */
export function listSilentAgents(db: Db, before: number): AgentRow[] {
  return statements(db).silentAgents.all({ before });
}

/** Records that the agent was heard from, with its free slots, and that it is not lost. */
export function touchAgentSeen(db: Db, id: string, freeSlots: number, now = Date.now()): void {
  statements(db).touch.run({ id, freeSlots, now });
}
