import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  ConflictError,
  MAX_OUTPUT_LINE_BYTES,
  newId,
  NotFoundError,
  PayloadTooLargeError,
  utf8Bytes,
  ValidationError,
  type EventsBatch,
  type OutputLine,
  type TaskCreate,
} from '@switchyard/core';
import {
  appendOutput,
  findTask,
  findTaskByIdempotencyKey,
  findWorkspace,
  isUniqueViolation,
  listPoolSettings,
  readOutput,
  type DbHandle,
  type TaskRow,
  type WorkspaceSettings,
} from '@switchyard/db';
import type { Scheduler } from '@switchyard/scheduler';
import { assertCanWrite, canSee } from '../auth.ts';
import type { Config } from '../config.ts';
import type { Principal } from '../context.ts';
import { checkWorkdir } from '../workdir.ts';
import { withinCeiling } from './permissions.ts';
import { placeTask } from './placement.ts';
import { RecentOutput } from './recent-output.ts';

export interface TaskServiceDeps {
  db: DbHandle;
  scheduler: Scheduler;
  config: Pick<Config, 'maxPromptBytes'>;
  logger: Logger;
}

/** Which API a change came through; `seed` (the `/api/claude` compatibility API) is noted in the audit row. */
export interface Via {
  api?: 'v1' | 'seed';
}

export interface CreateOptions extends Via {
  /** `Idempotency-Key`: the same key and body return the task the first request created. */
  idempotencyKey?: string;
}

export interface Created {
  task: TaskRow;
  /** True when an earlier request with the same Idempotency-Key created it. */
  replayed: boolean;
}

/** How far past the stored output a batch may reach: a few batches in flight, no more. */
export const MAX_SEQ_AHEAD = 50_000;

/** Every line at most the per-line limit, every seq within reach of what is stored. */
function assertBatchInBounds(batch: EventsBatch, lastSeq: number): void {
  batch.lines.forEach((l, i) => {
    if (l.seq > lastSeq + MAX_SEQ_AHEAD) {
      throw new ValidationError(`seq ${l.seq} is too far past the stored output (${lastSeq})`, { field: `lines.${i}.seq`, lastSeq });
    }
    if (utf8Bytes(l.line) > MAX_OUTPUT_LINE_BYTES) {
      throw new PayloadTooLargeError(`line ${l.seq} is over ${MAX_OUTPUT_LINE_BYTES} bytes`, { field: `lines.${i}.line`, limit: MAX_OUTPUT_LINE_BYTES });
    }
  });
}

const requestHash = (body: unknown): string => createHash('sha256').update(JSON.stringify(body)).digest('hex');
const viaDetails = (via: Via): Record<string, unknown> => (via.api === 'seed' ? { api: 'seed' } : {});

/**
 * Create, follow-up, kill and output ingestion: the one place `/v1`, `/api/claude` and the agent
 * gateway change tasks. Each change and its audit row are written in one transaction (the
 * scheduler's).
 */
export class TaskService {
  private readonly logger: Logger;
  /** The newest lines of tasks producing output, for live streams. */
  private readonly recent = new RecentOutput();

  constructor(private readonly deps: TaskServiceDeps) {
    this.logger = deps.logger.child({ component: 'tasks' });
  }

  /** A task the principal may see, or 404 (also for another team's task). */
  visibleTask(p: Principal, id: string): TaskRow {
    const task = findTask(this.deps.db.db, id);
    if (!task || !canSee(p, task.teamId)) throw new NotFoundError('task', id);
    return task;
  }

  /** An agent's own task, or 404: an agent token never reaches another workspace's task. */
  agentTask(workspaceId: string, id: string): TaskRow {
    const task = findTask(this.deps.db.db, id);
    if (!task || task.workspaceId !== workspaceId) throw new NotFoundError('task', id);
    return task;
  }

  /** Places, checks and queues a new task (429 over a team quota, 413 over the prompt limit). */
  async create(p: Principal, body: TaskCreate, opts: CreateOptions = {}): Promise<Created> {
    this.assertPromptSize(body.prompt);
    const key = opts.idempotencyKey;
    // Only a keyed create is ever compared with another: the others need no hash.
    const hash = key ? requestHash(body) : null;
    const prior = key && hash ? this.replay(p, key, hash) : undefined;
    if (prior) return { task: prior, replayed: true };

    const place = placeTask(this.deps.db.db, p, body);
    const workdir = checkWorkdir(body.workdir ?? place.roots[0]!, place.roots);
    const { workspace, team, prompt, priority, labels, maxDurationSec, idleTimeoutSec, workdir: _d, ...asked } = body;
    const options = withinCeiling(place.workspaces, asked);
    const values = {
      id: newId('tsk'),
      teamId: place.teamId,
      workspaceId: place.workspaceId,
      prompt,
      workdir,
      priority: priority ?? 0,
      labels: labels ?? {},
      options,
      maxDurationSec: maxDurationSec ?? null,
      idleTimeoutSec: idleTimeoutSec ?? null,
      sessionId: randomUUID(),
      idempotencyKey: key ?? null,
      requestHash: hash,
      createdBy: p.tokenId,
    };
    const audit = {
      actor: p.name,
      teamId: place.teamId,
      action: 'task.created',
      targetType: 'task',
      details: { workspace: workspace ?? null, team: team ?? null, ...viaDetails(opts) },
    };
    try {
      const task = await this.deps.scheduler.createTask(values, p.name, audit);
      this.logger.info({ taskId: task.id, actor: p.name }, 'task created');
      return { task, replayed: false };
    } catch (err) {
      // Two requests with one Idempotency-Key raced: the loser answers with the winner's task.
      const winner = key && hash && isUniqueViolation(err) ? this.replay(p, key, hash) : undefined;
      if (winner) return { task: winner, replayed: true };
      throw err;
    }
  }

  /** Queues the next turn of a task (`claude --resume`). */
  async followUp(p: Principal, taskId: string, prompt: string, via: Via = {}): Promise<TaskRow> {
    const task = this.writableTask(p, taskId);
    this.assertPromptSize(prompt);
    // A follow-up carries no options: the task's own are checked again against today's ceiling.
    withinCeiling(this.workspacesOf(task), task.options);
    const audit = { actor: p.name, teamId: task.teamId, action: 'task.messaged', targetType: 'task', targetId: task.id, details: viaDetails(via) };
    return this.deps.scheduler.followUp(task.id, prompt, p.name, audit);
  }

  /** Cancels a task that never started, or asks its agent to stop it. */
  async kill(p: Principal, taskId: string, via: Via = {}): Promise<TaskRow> {
    const task = this.writableTask(p, taskId);
    const audit = { actor: p.name, teamId: task.teamId, action: 'task.killed', targetType: 'task', targetId: task.id, details: { from: task.status, ...viaDetails(via) } };
    const row = await this.deps.scheduler.kill(task.id, p.name, undefined, audit);
    this.logger.info({ taskId: task.id, actor: p.name, status: row.status }, 'task kill requested');
    return row;
  }

  /**
   * Stores an agent's batch of output lines, idempotent by (task, seq), and returns the highest
   * contiguous seq stored; live readers hear of new output. Batches that arrive together (many
   * tasks' agents) share one commit.
   */
  async ingestOutput(workspaceId: string, taskId: string, batch: EventsBatch): Promise<number> {
    const { db: h, scheduler } = this.deps;
    const task = this.agentTask(workspaceId, taskId);
    assertBatchInBounds(batch, task.lastSeq);
    const { before, ackSeq } = await h.grouped(() => {
      const lastSeq = findTask(h.db, taskId)!.lastSeq;
      return { before: lastSeq, ackSeq: appendOutput(h.db, taskId, batch.turn, batch.lines, lastSeq) };
    });
    if (ackSeq > before) {
      this.recent.stored(taskId, before, ackSeq, batch.lines);
      scheduler.hub.emit('output', { taskId, lastSeq: ackSeq });
    }
    return ackSeq;
  }

  /** Stored lines after `after` up to `upTo`, in order: from memory when it holds them all. */
  output(taskId: string, after: number, upTo: number, limit: number): OutputLine[] {
    return this.recent.read(taskId, after, upTo, limit) ?? readOutput(this.deps.db.db, taskId, after, upTo, limit);
  }

  /** The workspace a task runs in, or its team's pool while it waits for one. */
  private workspacesOf(task: TaskRow): WorkspaceSettings[] {
    const db = this.deps.db.db;
    if (task.workspaceId) return [findWorkspace(db, task.workspaceId)!];
    return listPoolSettings(db, task.teamId);
  }

  private writableTask(p: Principal, taskId: string): TaskRow {
    const task = this.visibleTask(p, taskId);
    assertCanWrite(p, task.teamId, 'task', task.id);
    return task;
  }

  private assertPromptSize(prompt: string): void {
    const limit = this.deps.config.maxPromptBytes;
    const bytes = Buffer.byteLength(prompt, 'utf8');
    if (bytes > limit) {
      throw new PayloadTooLargeError(`prompt is ${bytes} bytes, the limit is ${limit}`, { field: 'prompt', limit });
    }
  }

  /** The task an earlier request with this key created, or undefined; 409 if its body differed. */
  private replay(p: Principal, key: string, hash: string): TaskRow | undefined {
    const prior = findTaskByIdempotencyKey(this.deps.db.db, p.tokenId, key);
    if (prior && prior.requestHash !== hash) {
      throw new ConflictError('Idempotency-Key was already used with a different body', { taskId: prior.id });
    }
    return prior;
  }
}
