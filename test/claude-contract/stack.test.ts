import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { agentTmuxSessions, cleanupAgentDir, startAgent, waitFor, type TestAgent } from '../support/agent.ts';
import { ensureClaudeCli, offlineEnv } from './support/cli.ts';
import { CONTINUATION_PROMPT } from '@switchyard/core';
import { startMessagesApi, usageLimitHeaders, type MessagesApi } from './support/messages-api.ts';

// The real claude CLI through the whole of Switchyard: API → Redis → agent → tmux → claude →
// the local Messages API stand-in, and back into SQLite.

// Two attempts a turn: a 529 or a failed login fails its task after one retry, not two.
const ctx = useApi({ scheduler: { maxAttempts: 2 } });
let agent: TestAgent;
let messages: MessagesApi;

const FOREIGN = `sy-contract-foreign-${process.pid}`;

beforeAll(async () => {
  const cli = ensureClaudeCli();
  messages = await startMessagesApi();
  // A developer's own tmux server on the default socket, whose environment points claude nowhere:
  // turns must not join it (the agent runs its own server), or claude would lose its login.
  execFileSync('tmux', ['new-session', '-d', '-s', FOREIGN, '-e', 'ANTHROPIC_BASE_URL=http://127.0.0.1:9', '-e', 'CLAUDE_CODE_OAUTH_TOKEN=', 'sleep 600']);
  agent = startAgent({
    url: ctx.api.url,
    tokenFile: ctx.api.agentTokenFile,
    // A subscription login, so a usage limit comes with its reset time as it does for most users.
    env: {
      ...offlineEnv(messages.url, { ANTHROPIC_API_KEY: '', CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-contract-test', CLAUDE_CODE_MAX_RETRIES: '0' }),
      SWITCHYARD_CLAUDE_BIN: cli.bin,
      SWITCHYARD_AUTH_HOLD_SEC: '2',
    },
  });
  await waitFor(async () => {
    const ws = (await (await ctx.api.call('/v1/workspaces/local')).json()) as { ready: boolean; agent?: { simulated: boolean; claudeVersionTested: boolean | null } };
    // The pinned CLI is the version the contract suite covers: the workspace shows it as tested.
    return ws.ready && ws.agent?.simulated === false && ws.agent.claudeVersionTested === true;
  }, 60_000, 'workspace local to be ready with the real claude').catch((err: Error) => {
    throw new Error(`${err.message}\nthe agent's log:\n${agent.output()}`);
  });
}, 300_000);

afterAll(async () => {
  execFileSync('tmux', ['kill-session', '-t', `=${FOREIGN}`], { stdio: 'ignore' });
  await agent?.stop();
  if (agent) cleanupAgentDir(agent.dir);
  await messages?.close();
});

async function create(body: Record<string, unknown>): Promise<TaskView> {
  const res = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', ...body } });
  expect(res.status).toBe(201);
  return (await res.json()) as TaskView;
}

interface WorkspaceView {
  ready: boolean;
  rateLimitedUntil: string | null;
  problems: string[];
}

const workspace = async (): Promise<WorkspaceView> => (await (await ctx.api.call('/v1/workspaces/local')).json()) as WorkspaceView;

/** Processes whose command line holds `text` (a claude of a task holds its session id). */
function processesMatching(text: string): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(text) && !l.includes('ps -eo'));
}

const get = async (id: string): Promise<TaskView> => (await (await ctx.api.call(`/v1/tasks/${id}`)).json()) as TaskView;

async function turnDone(id: string, n: number): Promise<TaskView> {
  return waitFor(async () => {
    const t = await get(id);
    return t.turns.find((x) => x.n === n)?.finishedAt && !['queued', 'dispatched', 'running', 'rate_limited'].includes(t.status) ? t : null;
  }, 60_000, `turn ${n} of ${id} to end`);
}

describe('the real CLI through Switchyard', () => {
  it('runs a plain turn and two follow-ups with --resume, costing what the session cost, not the sum of its totals', async () => {
    messages.script(() => ({ kind: 'text', text: 'ok' }));
    const task = await create({ prompt: 'first' });
    const one = await turnDone(task.id, 1);
    expect(one).toMatchObject({ status: 'completed', exitCode: 0, result: 'ok' });
    const perTurn = one.costUsd;
    expect(perTurn).toBeGreaterThan(0);
    for (const [n, prompt] of [[2, 'second'], [3, 'third']] as const) {
      expect((await ctx.api.call(`/v1/tasks/${task.id}/messages`, { method: 'POST', json: { prompt } })).status).toBe(202);
      await turnDone(task.id, n);
    }
    const done = await get(task.id);
    expect(done.status).toBe('completed');
    expect(messages.requests.map((r) => r.lastUserText)).toEqual(['first', 'second', 'third']);
    // claude reports the session's running total on each --resume (1x, 2x, 3x): the task costs 3x.
    expect(done.costUsd).toBeCloseTo(perTurn * 3, 10);
    expect(done.turns.map((t) => t.costUsd)).toEqual([expect.closeTo(perTurn, 10), expect.closeTo(perTurn, 10), expect.closeTo(perTurn, 10)]);
  });

  it('shows a write the policy refused on the task and its turn, though claude called it a success', async () => {
    // The default mode asks (#15); this workspace's policy refuses whatever no rule allows.
    const policy = async (p: Record<string, unknown>) => expect((await ctx.api.call('/v1/workspaces/local', { method: 'PATCH', json: { approvalPolicy: p } })).status).toBe(200);
    await policy({ rules: [], default: 'deny', timeoutSec: 3600 });
    onTestFinished(() => policy({ rules: [], default: 'ask', timeoutSec: 3600 }));
    messages.script((req) =>
      req.toolResults.length ? { kind: 'text', text: 'I could not write it.' } : { kind: 'tool_use', name: 'Write', input: { file_path: '/tmp/sy-contract-denied.txt', content: 'x' } },
    );
    const task = await create({ prompt: 'write a file' });
    const done = await turnDone(task.id, 1);
    expect(done).toMatchObject({ status: 'completed', exitCode: 0, result: 'I could not write it.' });
    expect(done.permissionDenials).toEqual([{ turn: 1, toolName: 'Write', input: { file_path: '/tmp/sy-contract-denied.txt', content: 'x' } }]);
    expect(done.turns[0]!.permissionDenials).toHaveLength(1);
  });

  it('fails a task that reached --max-turns with claude\'s own reason, not a bare subtype', async () => {
    messages.script(() => ({ kind: 'tool_use', name: 'Read', input: { file_path: '/etc/hostname' } }));
    const task = await create({ prompt: 'keep reading', maxTurns: 2, allowedTools: ['Read'] });
    const done = await turnDone(task.id, 1);
    expect(done).toMatchObject({ status: 'failed', exitCode: 1, error: { code: 'error_max_turns', message: 'Reached maximum number of turns (2)' } });
  });

  it('waits out a usage limit and resumes the session once, without sending the prompt again', async () => {
    let resetsAt = 0;
    let calls = 0;
    messages.script(() => {
      if (++calls > 1) return { kind: 'text', text: 'done after the limit' };
      // The reset counts from the refusal, as the real API's does: claude's start-up (seconds on a
      // loaded machine) must not eat the window in which the API is told the reset before it passes.
      resetsAt = Math.floor(Date.now() / 1000) + 3;
      return { kind: 'error', status: 429, type: 'rate_limit_error', message: 'Rate limited', headers: usageLimitHeaders(resetsAt) };
    });
    const before = messages.requests.length;
    const task = await create({ prompt: 'a prompt that must reach claude once' });
    const limited = await waitFor(async () => ((await get(task.id)).status === 'rate_limited' ? get(task.id) : null), 30_000, 'rate_limited');
    expect(Date.parse(limited.rateLimitedUntil!)).toBe(resetsAt * 1000);
    const done = await waitFor(async () => {
      const t = await get(task.id);
      return ['completed', 'failed'].includes(t.status) ? t : null;
    }, 60_000, 'the turn after the limit');
    expect(done).toMatchObject({ status: 'completed', result: 'done after the limit' });
    const retry = messages.requests.at(-1)!;
    expect(messages.requests.length - before).toBe(2);
    const said = JSON.stringify(retry.body.messages);
    expect(said.split('a prompt that must reach claude once').length - 1).toBe(1);
    expect(retry.lastUserText).toBe(CONTINUATION_PROMPT);
  });

  it('puts a turn whose login failed back in the queue, and holds the workspace not ready meanwhile', async () => {
    let calls = 0;
    // The CLI tries a 401 twice within one run, even with CLAUDE_CODE_MAX_RETRIES=0.
    messages.script(() => (++calls <= 2 ? { kind: 'error', status: 401, type: 'authentication_error', message: 'invalid token' } : { kind: 'text', text: 'logged in again' }));
    const task = await create({ prompt: 'needs a login' });
    const held = await waitFor(async () => {
      const ws = (await (await ctx.api.call('/v1/workspaces/local')).json()) as { ready: boolean; problems: string[] };
      return ws.ready ? null : ws;
    }, 30_000, 'the workspace to be held not ready');
    expect(held.problems.join()).toMatch(/login failed in a turn \(authentication_failed\)/);
    const done = await waitFor(async () => {
      const t = await get(task.id);
      return ['completed', 'failed'].includes(t.status) ? t : null;
    }, 60_000, 'the retried turn');
    expect(done).toMatchObject({ status: 'completed', result: 'logged in again' });
    expect(calls).toBe(3);
  });

  it('returns the structured result of a task that gave a JSON schema, with the effort it asked for', async () => {
    messages.script((req) =>
      req.toolResults.length ? { kind: 'text', text: 'done' } : { kind: 'tool_use', name: 'StructuredOutput', input: { name: 'Ada', age: 36 } },
    );
    const schema = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'number' } }, required: ['name'] };
    const task = await create({ prompt: 'who wrote the first program?', jsonSchema: schema, effort: 'low', fallbackModel: 'claude-sonnet-4-5,claude-haiku-4-5' });
    const done = await turnDone(task.id, 1);
    expect(done).toMatchObject({ status: 'completed', structuredOutput: { name: 'Ada', age: 36 } });
    const asked = messages.requests.at(-1)!;
    expect(asked.body.output_config).toMatchObject({ effort: 'low' });
    expect((asked.body.tools as { name: string }[]).map((t) => t.name)).toContain('StructuredOutput');
    expect(done.options).toMatchObject({ effort: 'low', fallbackModel: 'claude-sonnet-4-5,claude-haiku-4-5' });
  });

  it('kills a turn while claude waits on a streaming reply: the task ends killed, claude and its tmux session are gone, and the workspace runs the next task', async () => {
    messages.script(() => ({ kind: 'stall' }));
    const before = messages.requests.length;
    const task = await create({ prompt: 'think for a long time' });
    await waitFor(async () => messages.requests.length > before && (await get(task.id)).status === 'running', 30_000, 'claude to be mid-reply');
    expect(processesMatching(task.sessionId)).not.toEqual([]);
    expect((await ctx.api.call(`/v1/tasks/${task.id}/kill`, { method: 'POST' })).status).toBe(200);
    const killed = await waitFor(async () => {
      const t = await get(task.id);
      return t.status === 'killed' ? t : null;
    }, 30_000, 'the task to be killed');
    expect(killed.error).toEqual({ code: 'killed', message: expect.stringMatching(/killed by request/) });
    // claude ends its run on the SIGINT (before the agent would close the session), so its exit
    // is recorded, and what the interrupted reply cost so far is on the task.
    expect(killed.turns).toEqual([expect.objectContaining({ n: 1, status: 'killed', outcome: 'killed', exitCode: expect.any(Number), finishedAt: expect.any(String) })]);
    expect(killed.costUsd).toBeGreaterThan(0);
    await waitFor(() => processesMatching(task.sessionId).length === 0, 15_000, `no claude of ${task.id}: ${processesMatching(task.sessionId).join('\n')}`);
    expect(agentTmuxSessions(agent.dir)).not.toContain(killed.attach.tmuxSession);
    messages.script(() => ({ kind: 'text', text: 'the next one ran' }));
    const next = await create({ prompt: 'the next task' });
    expect(await turnDone(next.id, 1)).toMatchObject({ status: 'completed', result: 'the next one ran' });
  });

  it('holds the workspace back after a 429 with no reset time (a per-minute limit, as API keys get), then runs the turn', async () => {
    // The 429 an API key's per-minute limit gets: no anthropic-ratelimit-unified-* headers. This
    // agent's claude has an OAuth login, so it words the error differently from a key's ("not your
    // usage limit"; cli.test.ts and the api-key-429 transcript hold a key's); both mean the same here.
    let calls = 0;
    messages.script(() =>
      ++calls === 1
        ? { kind: 'error', status: 429, type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit', headers: { 'retry-after': '1' } }
        : { kind: 'text', text: 'done after the backoff' },
    );
    const task = await create({ prompt: 'a prompt over the per-minute limit' });
    const limited = await waitFor(async () => {
      const t = await get(task.id);
      return t.status === 'rate_limited' ? t : null;
    }, 30_000, 'rate_limited');
    // No reset time comes with it: the workspace backs off on its own, 15 to 30 s the first time.
    const wait = Date.parse(limited.rateLimitedUntil!) - Date.now();
    expect(wait).toBeGreaterThan(5_000);
    expect(wait).toBeLessThanOrEqual(30_000);
    expect((await workspace()).rateLimitedUntil).toBe(limited.rateLimitedUntil);
    const done = await waitFor(async () => {
      const t = await get(task.id);
      return ['completed', 'failed'].includes(t.status) ? t : null;
    }, 60_000, 'the turn after the backoff');
    expect(done).toMatchObject({ status: 'completed', result: 'done after the backoff' });
    expect(Date.parse(done.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(limited.rateLimitedUntil!));
    expect(calls).toBe(2);
  }, 90_000);

  it('retries a turn the API answered 529 without pausing the workspace, then fails it with code overloaded', async () => {
    const overloaded = 'a prompt while the API is overloaded';
    const refusedAt: number[] = [];
    messages.script((req) =>
      JSON.stringify(req.body.messages).includes(overloaded)
        ? (refusedAt.push(Date.now()), { kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' })
        : { kind: 'text', text: 'ran meanwhile' },
    );
    const task = await create({ prompt: overloaded });
    const waiting = await waitFor(async () => {
      const t = await get(task.id);
      return t.status === 'queued' && t.attempts === 1 ? t : null;
    }, 30_000, 'the overloaded turn to wait for its retry');
    expect(waiting.rateLimitedUntil).toBeNull();
    expect(await workspace()).toMatchObject({ ready: true, rateLimitedUntil: null });
    // The workspace takes other work while the overloaded turn waits.
    const other = await create({ prompt: 'another task' });
    expect(await turnDone(other.id, 1)).toMatchObject({ status: 'completed', result: 'ran meanwhile' });
    const failed = await turnDone(task.id, 1);
    expect(failed).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'overloaded', message: expect.stringMatching(/^the Anthropic API was overloaded, 2 times: API Error: 529/) } });
    // Once per attempt (the agent's claude makes no retries of its own here), 2 s apart at least.
    expect(refusedAt).toHaveLength(2);
    expect(refusedAt[1]! - refusedAt[0]!).toBeGreaterThanOrEqual(2_000);
    expect((await workspace()).rateLimitedUntil).toBeNull();
  });

  it('fails a task that spent its maxBudgetUsd with claude\'s own reason', async () => {
    messages.script(() => ({ kind: 'tool_use', name: 'Read', input: { file_path: '/etc/hostname' } }));
    const task = await create({ prompt: 'read on and on', maxBudgetUsd: 0.0001, allowedTools: ['Read'] });
    const done = await turnDone(task.id, 1);
    expect(done).toMatchObject({ status: 'failed', exitCode: 1, error: { code: 'error_max_budget_usd', message: 'Reached maximum budget ($0.0001)' } });
    // claude stops once a reply takes it past the budget: the one reply it paid for is on the task.
    expect(done.costUsd).toBeGreaterThan(0.0001);
  });
});
