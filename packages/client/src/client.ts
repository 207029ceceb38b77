import {
  AgentViewSchema,
  OutputLineSchema,
  TaskStatusSchema,
  TaskViewSchema,
  TeamUsageSchema,
  TeamViewSchema,
  TokenCreatedSchema,
  TokenViewSchema,
  WorkspaceViewSchema,
  type AgentView,
  type OutputLine,
  type Quota,
  type TaskCreate,
  type TaskStatus,
  type TaskView,
  type TeamUsage,
  type TeamView,
  type TokenCreate,
  type TokenView,
  type WorkspaceCreate,
  type WorkspacePatch,
  type WorkspaceView,
} from '@switchyard/core';
import { approvalResources } from './approvals.ts';
import { dashboardResources } from './dashboard.ts';
import { ApiError } from './errors.ts';
import { followFleet, type FleetFollowOptions } from './fleet.ts';
import { followTask, type FollowOptions, type TaskStreamEvent } from './follow.ts';
import { Http, parseBody, type HttpOptions, type Schema } from './http.ts';
import { num, bool, nullable, objectOf, str } from './shapes.ts';

export type ClientOptions = HttpOptions;

/** A user token as created: the only time `token` (the secret) is shown. */
export type TokenCreated = TokenView & { token: string };

export interface TaskListQuery {
  /** One status, several comma-separated, or an array. */
  status?: TaskStatus | TaskStatus[] | string;
  workspace?: string;
  team?: string;
  limit?: number;
  cursor?: string;
}

export interface TaskPage {
  tasks: TaskView[];
  nextCursor: string | null;
}

export interface EventsPage {
  events: OutputLine[];
  nextAfter: number;
  status: TaskStatus;
  done: boolean;
}

const TaskPageSchema: Schema<TaskPage> = objectOf({ tasks: TaskViewSchema.array(), nextCursor: nullable(str) });
const EventsPageSchema: Schema<EventsPage> = objectOf({
  events: OutputLineSchema.array(),
  nextAfter: num,
  status: TaskStatusSchema,
  done: bool,
});
const Workspaces = objectOf({ workspaces: WorkspaceViewSchema.array() });
const Teams = objectOf({ teams: TeamViewSchema.array() });
const Tokens = objectOf({ tokens: TokenViewSchema.array() });
const Agents = objectOf({ agents: AgentViewSchema.array() });

const enc = encodeURIComponent;

/**
 * A typed client for the Switchyard `/v1` API. Every answer is checked against the core schema
 * of its shape; failures throw ApiError (the API said no) or ConnectionError (no answer).
 */
export function createClient(opts: ClientOptions) {
  const http = new Http(opts);

  const tasks = {
    /** Queues a task. `replayed` is true when an earlier request with the same Idempotency-Key made it. */
    async create(body: TaskCreate, o: { idempotencyKey?: string; signal?: AbortSignal } = {}): Promise<{ task: TaskView; replayed: boolean }> {
      const res = await http.send('POST', '/v1/tasks', {
        json: body,
        headers: o.idempotencyKey ? { 'idempotency-key': o.idempotencyKey } : undefined,
        signal: o.signal,
      });
      const task = await parseBody(res, TaskViewSchema, 'POST', '/v1/tasks');
      return { task, replayed: res.status === 200 };
    },

    /** One page, newest first. */
    list(q: TaskListQuery = {}): Promise<TaskPage> {
      const status = Array.isArray(q.status) ? q.status.join(',') : q.status;
      return http.json('GET', '/v1/tasks', TaskPageSchema, { query: { ...q, status } });
    },

    /** Every task matching `q`, following cursors page by page. */
    async *all(q: Omit<TaskListQuery, 'cursor'> = {}): AsyncGenerator<TaskView> {
      let cursor: string | undefined;
      do {
        const page = await tasks.list({ ...q, cursor });
        yield* page.tasks;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },

    get: (id: string): Promise<TaskView> => http.json('GET', `/v1/tasks/${enc(id)}`, TaskViewSchema),

    /** Raw stream-json output, one line per output line; the last `tail` lines when given. */
    async output(id: string, o: { tail?: number } = {}): Promise<string> {
      const res = await http.send('GET', `/v1/tasks/${enc(id)}/output`, { query: { tail: o.tail } });
      return res.text();
    },

    /** A page of output lines after seq `after`. */
    events: (id: string, o: { after?: number; limit?: number } = {}): Promise<EventsPage> =>
      http.json('GET', `/v1/tasks/${enc(id)}/events`, EventsPageSchema, { query: o }),

    /** A follow-up message: the next turn of the conversation (`claude --resume`). */
    send: (id: string, prompt: string): Promise<TaskView> =>
      http.json('POST', `/v1/tasks/${enc(id)}/messages`, TaskViewSchema, { json: { prompt } }),

    kill: (id: string): Promise<TaskView> => http.json('POST', `/v1/tasks/${enc(id)}/kill`, TaskViewSchema),

    /** Live output and status over SSE, resuming after drops; see followTask. */
    follow: (id: string, o?: FollowOptions): AsyncGenerator<TaskStreamEvent> => followTask(http, id, o),

    /**
     * Resolves with the task once it has ended (and turn `untilTurn`, when given, has run).
     * `onEvent` hears status changes and reconnects; output lines are not fetched.
     */
    async wait(id: string, o: Omit<FollowOptions, 'after'> & { onEvent?: (e: TaskStreamEvent) => void } = {}): Promise<TaskView> {
      const now = await tasks.get(id);
      for await (const e of followTask(http, id, { ...o, after: now.lastSeq })) {
        if (e.type === 'end') return e.task;
        if (e.type !== 'line') o.onEvent?.(e);
      }
      // Aborted by the caller.
      throw new DOMException('wait aborted', 'AbortError');
    },
  };

  const workspaces = {
    list: async (): Promise<WorkspaceView[]> => (await http.json('GET', '/v1/workspaces', Workspaces)).workspaces,
    get: (ref: string): Promise<WorkspaceView> => http.json('GET', `/v1/workspaces/${enc(ref)}`, WorkspaceViewSchema),
    create: (body: WorkspaceCreate): Promise<WorkspaceView> => http.json('POST', '/v1/workspaces', WorkspaceViewSchema, { json: body }),
    update: (ref: string, patch: WorkspacePatch): Promise<WorkspaceView> =>
      http.json('PATCH', `/v1/workspaces/${enc(ref)}`, WorkspaceViewSchema, { json: patch }),
    /** A new agent token for the workspace's agent (shown once). */
    issueAgentToken: (ref: string): Promise<TokenCreated> =>
      http.json('POST', `/v1/workspaces/${enc(ref)}/agent-token`, TokenCreatedSchema),
  };

  const teams = {
    list: async (): Promise<TeamView[]> => (await http.json('GET', '/v1/teams', Teams)).teams,
    /** By name or id (from the list: the API has no single-team route). */
    async get(ref: string): Promise<TeamView> {
      const team = (await teams.list()).find((t) => t.name === ref || t.id === ref);
      if (!team) throw new ApiError({ status: 404, code: 'not_found', message: `team ${ref} not found`, method: 'GET', path: '/v1/teams' });
      return team;
    },
    create: (name: string): Promise<TeamView> => http.json('POST', '/v1/teams', TeamViewSchema, { json: { name } }),
    /** Replaces the whole quota; null means unlimited. */
    setQuota: (ref: string, quota: Quota): Promise<TeamView> =>
      http.json('PUT', `/v1/teams/${enc(ref)}/quota`, TeamViewSchema, { json: quota }),
    usage: (ref: string): Promise<TeamUsage> => http.json('GET', `/v1/teams/${enc(ref)}/usage`, TeamUsageSchema),
  };

  const tokens = {
    create: (body: TokenCreate): Promise<TokenCreated> => http.json('POST', '/v1/tokens', TokenCreatedSchema, { json: body }),
    list: async (): Promise<TokenView[]> => (await http.json('GET', '/v1/tokens', Tokens)).tokens,
    /** Revokes a token; resolves with the revoked token when the API returns it. */
    async revoke(id: string): Promise<TokenView | null> {
      const path = `/v1/tokens/${enc(id)}`;
      const res = await http.send('DELETE', path);
      if (res.status === 204 || res.headers.get('content-length') === '0') return null;
      return parseBody(res, TokenViewSchema, 'DELETE', path);
    },
  };

  const agents = {
    list: async (): Promise<AgentView[]> => (await http.json('GET', '/v1/agents', Agents)).agents,
  };

  return {
    /** The base URL, without a trailing slash. */
    url: http.baseUrl,
    /** The token the client calls with, as the API sees it. */
    me: (): Promise<TokenView> => http.json('GET', '/v1/me', TokenViewSchema),
    tasks,
    workspaces,
    teams,
    tokens,
    agents,
    /** `GET /v1/admin/backup` (admin): the response streams an online snapshot of the SQLite database. */
    backup: (signal?: AbortSignal): Promise<Response> => http.send('GET', '/v1/admin/backup', { signal }),
    ...dashboardResources(http),
    ...approvalResources(http),
    /** Fleet changes (`GET /v1/events`) over fetch-read SSE, reconnecting; see followFleet. */
    fleetEvents: (o?: FleetFollowOptions) => followFleet(http, o),
  };
}

export type Client = ReturnType<typeof createClient>;
