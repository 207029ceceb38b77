import { and, eq, sql } from 'drizzle-orm';
import { newId, type AgentRegister } from '@switchyard/core';
import type { Db } from './client.ts';
import { prepared, slot } from './prepared.ts';
import { agents } from './schema.ts';

export type AgentRow = typeof agents.$inferSelect;

/** One row per (workspace, hostname): an agent that restarts keeps its id. */
export function upsertAgent(
  db: Db,
  workspaceId: string,
  info: AgentRegister,
  now = Date.now(),
): AgentRow {
  const existing = db
    .select()
    .from(agents)
    .where(and(eq(agents.workspaceId, workspaceId), eq(agents.hostname, info.hostname)))
    .get();
  const values = {
    hostname: info.hostname,
    agentVersion: info.agentVersion,
    claudeVersion: info.claudeVersion,
    tmuxVersion: info.tmuxVersion,
    simulated: info.simulated,
    slots: info.slots,
    freeSlots: info.slots,
    workdirRoots: info.workdirRoots,
    problems: info.problems,
    tmuxSocket: info.tmuxSocket ?? null,
    lastSeenAt: now,
    lostAt: null,
  };
  if (existing) {
    return db.update(agents).set(values).where(eq(agents.id, existing.id)).returning().get()!;
  }
  return db
    .insert(agents)
    .values({ ...values, id: newId('agt'), workspaceId, registeredAt: now })
    .returning()
    .get();
}

export function findAgent(db: Db, id: string): AgentRow | undefined {
  const stmt = prepared(db, 'findAgent', (d) =>
    d.select().from(agents).where(eq(agents.id, sql.placeholder('id'))).prepare(),
  );
  return stmt.get({ id });
}

export function listAgents(db: Db, workspaceId?: string): AgentRow[] {
  const q = db.select().from(agents);
  return (workspaceId ? q.where(eq(agents.workspaceId, workspaceId)) : q)
    .orderBy(agents.hostname)
    .all();
}

export function touchAgent(db: Db, id: string, freeSlots: number, now = Date.now()): void {
  const stmt = prepared(db, 'touchAgent', (d) =>
    d
      .update(agents)
      .set({ lastSeenAt: slot('now'), freeSlots: slot('freeSlots'), lostAt: null })
      .where(eq(agents.id, sql.placeholder('id')))
      .prepare(),
  );
  stmt.run({ now, freeSlots, id });
}

export function markAgentLost(db: Db, id: string, now = Date.now()): void {
  db.update(agents).set({ lostAt: now }).where(eq(agents.id, id)).run();
}
