// Only the *.test.ts files beside the systems import this: a real redis-server, a temp SQLite
// file and one scheduler's systems over them, on a clock the test moves by hand.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedis as startRedisServer, type RedisServer } from '@switchyard/testing';
import pino from 'pino';
import {
  emptySummary,
  newId,
  type Lease,
  type TurnFinished,
  type TurnSummary,
} from '@switchyard/core';
import {
  createDb,
  findTask,
  insertTeam,
  insertWorkspace,
  upsertAgent,
  type AgentRow,
  type DbHandle,
  type NewTask,
  type TaskRow,
  type TeamRow,
  type WorkspaceRow,
} from '@switchyard/db';
import { DEFAULT_CONFIG, type SchedulerConfig } from './config.ts';
import { Hub } from './hub.ts';
import { QueueAdapter } from './queues.ts';
import { createSystems, type Systems } from './systems/index.ts';
import type { SchedulerResources } from './systems/resources.ts';

export type { RedisServer };


/** A throwaway redis-server on a free port: nothing saved, nothing appended. */
export const startRedis = (): Promise<RedisServer> => startRedisServer({ appendonly: false });

export interface Harness {
  db: DbHandle;
  resources: SchedulerResources;
  sys: Systems;
  team: TeamRow;
  /** Workspace `local` of team `default`, maxConcurrency 1. */
  ws: WorkspaceRow;
  /** An agent of `ws` that has just synced. */
  agent: AgentRow;
  /** What createTask takes for a task in `local`, with `values` on top. */
  values(values?: Partial<NewTask>): NewTask;
  /** A task for `local` (or the given placement), created through admission. */
  create(values?: Partial<NewTask>): Promise<TaskRow>;
  task(id: string): TaskRow;
  /** Another agent, in `workspaceId`, that has just synced. */
  addAgent(workspaceId: string, hostname: string): AgentRow;
  close(): Promise<void>;
}

/** One scheduler's systems on a temp SQLite file and a fresh queue prefix of `redisUrl`. */
export async function createHarness(
  redisUrl: string,
  clock: () => number,
  config: Partial<SchedulerConfig> = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-sched-'));
  const db = createDb(join(dir, 'test.db'));
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const cfg = { ...DEFAULT_CONFIG, prefix: `t${randomUUID().slice(0, 8)}`, ...config };
  const queues = new QueueAdapter(redis, { prefix: cfg.prefix, lockMs: 60_000 });
  const logger = pino({ level: process.env.SWITCHYARD_TEST_LOG ?? 'silent' });
  const resources = { db, queues, hub: new Hub(), logger, config: cfg, clock };
  const sys = createSystems(resources);
  const team = insertTeam(db.db, 'default', clock());
  const ws = insertWorkspace(
    db.db,
    { name: 'local', teamId: team.id, workdirRoots: ['/tmp'] },
    clock(),
  );
  const addAgent = (workspaceId: string, hostname: string): AgentRow =>
    upsertAgent(db.db, workspaceId, agentInfo(hostname), clock());
  return {
    db,
    resources,
    sys,
    team,
    ws,
    agent: addAgent(ws.id, 'pod-1'),
    addAgent,
    values: (values = {}) => taskValues(team.id, ws.id, values),
    create: (values = {}) => sys.admission.createTask(taskValues(team.id, ws.id, values), 'tester'),
    task: (id) => findTask(db.db, id)!,
    async close() {
      await queues.close();
      await redis.quit().catch(() => undefined);
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function agentInfo(hostname: string) {
  return {
    hostname,
    agentVersion: '0.1.0',
    claudeVersion: '2.0.0',
    tmuxVersion: 'tmux 3.3a',
    simulated: true,
    slots: 4,
    workdirRoots: ['/tmp'],
    problems: [],
  };
}

function taskValues(teamId: string, workspaceId: string, values: Partial<NewTask>): NewTask {
  return {
    id: newId('tsk'),
    teamId,
    workspaceId,
    prompt: 'p',
    workdir: '/tmp',
    options: {},
    sessionId: randomUUID(),
    ...values,
  };
}

/**
 * The next lease for `agentId`, polled for: a retried job waits out its backoff in Redis, which
 * counts real time, not the test's clock.
 */
export async function waitForLease(h: Harness, agentId: string): Promise<Lease> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [lease] = await h.sys.leasing.lease(agentId, 1);
    if (lease) return lease;
    if (Date.now() > deadline) throw new Error('no lease within 10 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What an agent reports at the end of a turn that went well, with `extra` on top. */
export function finished(
  turn: number,
  extra: Partial<Omit<TurnFinished, 'summary'>> & { summary?: Partial<TurnSummary> } = {},
): TurnFinished {
  const summary: TurnSummary = {
    ...emptySummary(),
    resultSubtype: 'success',
    isError: false,
    result: 'ok',
    costUsd: 0.5,
    numTurns: 1,
    durationMs: 5,
    ...extra.summary,
  };
  return {
    turn,
    outcome: 'exited',
    exitCode: 0,
    signal: null,
    lastSeq: 0,
    reason: null,
    stderrTail: null,
    ...extra,
    summary,
  };
}

/** A test's harness and the clock it reads: `ctx.t` is "now", which a test moves by hand. */
export interface HarnessContext {
  h: Harness;
  t: number;
  /** The file's redis-server, for a test that reaches into Redis itself. */
  redisUrl: string;
}

/** The instant every test starts at. */
export const START = Date.UTC(2030, 0, 15, 12);

/**
 * For a test file: one redis-server for the file, and for each test a fresh harness on it whose
 * clock is `ctx.t`, reset to START. `const ctx = useHarness();`
 */
export function useHarness(config: Partial<SchedulerConfig> = {}): HarnessContext {
  let redis: RedisServer | undefined;
  const ctx = { t: START } as HarnessContext;
  beforeAll(async () => {
    redis = await startRedis();
    ctx.redisUrl = redis.url;
  });
  afterAll(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    ctx.t = START;
    ctx.h = await createHarness(redis!.url, () => ctx.t, config);
  });
  afterEach(async () => {
    await ctx.h?.close();
  });
  return ctx;
}
