import { Hono } from 'hono';
import { z } from 'zod';
import { Identifier, isTerminal, ProseText, SwitchyardError, tmuxSessionName, ValidationError, type TaskStatus } from '@switchyard/core';
import { findAgent, findTask, findWorkspace, listTasks, listTurns, readOutput, tailOutput, workspaceName, type TaskRow } from '@switchyard/db';
import { assertCanWrite, authenticate, canSee } from '../auth.ts';
import type { AppEnv, Principal, RouteDeps } from '../context.ts';
import { MalformedJsonError, readJson, type Issue } from '../validation.ts';
import { attachCommand } from '../views.ts';

/**
 * The seed API's four statuses, from Switchyard's nine. The seed server judged a task by its
 * exit code (the `__CLAUDE_EXIT_CODE_N__` line), so a turn Claude called a success that still
 * exited non-zero is `error` here, in step with that line.
 */
export function seedStatus(t: Pick<TaskRow, 'status' | 'exitCode'>): 'running' | 'completed' | 'error' | 'killed' {
  switch (t.status) {
    case 'completed':
      return t.exitCode === null || t.exitCode === 0 ? 'completed' : 'error';
    case 'failed':
    case 'lost':
      return 'error';
    case 'killed':
    case 'cancelled':
      return 'killed';
    default:
      return 'running';
  }
}

const secs = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

/** An error in the seed's own words and status. */
class SeedError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 409 | 413 | 429 | 500,
    message: string,
  ) {
    super(message);
  }
}

const PROMPT_REQUIRED = { error: 'prompt is required' };
/** The seed's body: a non-blank prompt, an optional workdir; other fields are ignored, as the seed did. */
const PromptBody = z.object(
  {
    prompt: z.string(PROMPT_REQUIRED).refine((s) => s.trim() !== '', PROMPT_REQUIRED).pipe(ProseText()),
    workdir: z.string({ error: 'workdir must be a string' }).pipe(Identifier(4096)).optional(),
  },
  PROMPT_REQUIRED,
);

/** The seed's wording of a validation failure: its own for bad JSON, else the first problem. */
function seedMessage(err: ValidationError): string {
  if (err instanceof MalformedJsonError) return 'Invalid JSON body';
  const issues = err.details?.issues as Issue[] | undefined;
  return issues?.[0]?.message ?? err.message;
}

/** The output the seed showed: every line, then `__CLAUDE_EXIT_CODE_N__` once the task ended. */
function withExitLine(t: TaskRow, lines: string[]): string[] {
  if (isTerminal(t.status as TaskStatus) && t.status !== 'cancelled') lines.push(`__CLAUDE_EXIT_CODE_${t.exitCode ?? 1}__`);
  return lines;
}

/**
 * `/api/claude/*`: the per-pod Claude Task API, kept working unchanged against Switchyard, so
 * existing scripts change only their base URL and token. Tasks go to the token's default
 * workspace. Errors keep the seed's shape, `{"error": "..."}`.
 */
export function claudeTaskApiRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();
  const { tasks } = deps;
  const db = deps.db.db;

  app.onError((err, c) => {
    if (err instanceof SeedError) return c.json({ error: err.message }, err.status);
    if (err instanceof ValidationError) return c.json({ error: seedMessage(err) }, 400);
    if (err instanceof SwitchyardError) {
      // 403 too: a viewer's write, or a task over its workspace's ceiling, is refused as such.
      const status = ([400, 401, 403, 404, 409, 413, 429, 503].includes(err.status) ? err.status : 400) as 400;
      if (typeof err.details?.retryAfterSec === 'number') c.header('Retry-After', String(err.details.retryAfterSec));
      return c.json({ error: err.message }, status);
    }
    c.get('logger')?.error({ err }, 'claude task api error');
    return c.json({ error: 'Internal server error' }, 500);
  });
  app.notFound((c) => c.json({ error: 'Not found' }, 404));
  app.use('*', authenticate(db, 'user', deps.authGuard));

  function visible(p: Principal, id: string): TaskRow {
    const t = findTask(db, id);
    if (!t || !canSee(p, t.teamId)) throw new SeedError(404, 'Task not found');
    return t;
  }

  function detail(t: TaskRow) {
    const lines = withExitLine(t, tailOutput(db, t.id, t.lastSeq, 50).map((l) => l.line));
    return {
      task_id: t.id,
      session_id: t.sessionId,
      prompt: t.prompt,
      workdir: t.workdir,
      status: seedStatus(t),
      created_at: secs(t.createdAt),
      ...(t.finishedAt !== null && isTerminal(t.status as TaskStatus) ? { finished_at: secs(t.finishedAt) } : {}),
      tmux_session: tmuxSessionName(t.id),
      recent_output: lines.slice(-50).join('\n'),
      ...(t.errorMessage && seedStatus(t) === 'error' ? { error: t.errorMessage } : {}),
    };
  }

  app.post('/tasks', async (c) => {
    const p = c.get('principal');
    const { prompt, workdir } = await readJson(c, PromptBody);
    if (!p.defaultWorkspaceId) {
      throw new SeedError(400, 'this token has no default workspace; create one with "defaultWorkspace" or use POST /v1/tasks');
    }
    const ws = findWorkspace(db, p.defaultWorkspaceId);
    if (!ws) throw new SeedError(400, 'the default workspace of this token no longer exists');
    const { task } = await tasks.create(p, { workspace: ws.id, prompt, workdir, labels: { api: 'seed' } }, { api: 'seed' });
    return c.json(
      {
        task_id: task.id,
        session_id: task.sessionId,
        prompt: task.prompt,
        workdir: task.workdir,
        status: seedStatus(task),
        created_at: secs(task.createdAt),
        tmux_session: tmuxSessionName(task.id),
      },
      201,
    );
  });

  app.get('/tasks', (c) => {
    const p = c.get('principal');
    const rows = listTasks(db, { teamId: p.role === 'admin' ? undefined : (p.teamId ?? '-'), limit: 500 });
    return c.json({
      tasks: rows.map((t) => ({
        task_id: t.id,
        prompt: t.prompt.length > 120 ? t.prompt.slice(0, 120) : t.prompt,
        status: seedStatus(t),
        created_at: secs(t.createdAt),
      })),
    });
  });

  app.get('/tasks/:id', (c) => c.json(detail(visible(c.get('principal'), c.req.param('id')))));

  app.get('/tasks/:id/output', (c) => {
    const t = visible(c.get('principal'), c.req.param('id'));
    const tailParam = c.req.query('tail');
    const tail = tailParam === undefined ? undefined : Number(tailParam);
    if (tail !== undefined && (!Number.isInteger(tail) || tail < 1)) throw new SeedError(400, 'tail must be a positive integer');
    const lines = withExitLine(t, readOutput(db, t.id, 0, t.lastSeq, 10_000_000).map((l) => l.line));
    const out = tail ? lines.slice(-tail) : lines;
    return c.text(out.length ? `${out.join('\n')}\n` : '', 200, { 'content-type': 'text/plain; charset=utf-8' });
  });

  app.post('/tasks/:id/message', async (c) => {
    const p = c.get('principal');
    const t = visible(p, c.req.param('id'));
    const { prompt } = await readJson(c, PromptBody);
    const row = await tasks.followUp(p, t.id, prompt, { api: 'seed' });
    return c.json({
      task_id: row.id,
      session_id: row.sessionId,
      status: 'running',
      followups: listTurns(db, row.id)
        .filter((turn) => turn.n > 1)
        .map((turn) => ({ prompt: turn.prompt, sent_at: secs(turn.createdAt) })),
    });
  });

  app.delete('/tasks/:id', async (c) => {
    const p = c.get('principal');
    const t = visible(p, c.req.param('id'));
    await tasks.kill(p, t.id, { api: 'seed' });
    return c.json({ task_id: t.id, status: 'killed', killed_at: Date.now() / 1000 });
  });

  app.post('/tasks/:id/prepare-terminal', (c) => {
    const p = c.get('principal');
    const t = visible(p, c.req.param('id'));
    // Attaching lets the holder type into claude's pane: a write, so not for viewers.
    assertCanWrite(p, t.teamId, 'task', t.id);
    const session = tmuxSessionName(t.id);
    const command = attachCommand(session, t.agentId ? findAgent(db, t.agentId)?.tmuxSocket : null);
    return c.json({ task_id: t.id, tmux_session: session, command, workspace: t.workspaceId ? (workspaceName(db, t.workspaceId) ?? null) : null });
  });

  return app;
}
