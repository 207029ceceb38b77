import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { HandAgent } from '../support/hand-agent.ts';

const ctx = useApi();

const run = promisify(execFile);
let agent: HandAgent;

const LINES = [
  '{"type":"system","subtype":"init","session_id":"s"}',
  '{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"I\'ll create..."}]}}',
  '{"type":"result","subtype":"success","is_error":false,"result":"done"}',
];

beforeAll(async () => {
  agent = await new HandAgent(ctx.api).register();
});

/** Runs every queued task of workspace local by hand, as an agent would, until stopped. */
function serveTasks(exitCode = 0): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { leases } = await agent.sync(4, [], 500);
      for (const lease of leases) {
        await agent.run(agent.hold(lease).taskId, LINES, { exitCode });
      }
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

const seed = (path: string, init: RequestInit & { json?: unknown; token?: string } = {}) =>
  ctx.api.call(`/api/claude${path}`, init);

describe('/api/claude keeps the seed Claude Task API working', () => {
  it('runs the reference bash example unchanged but for base URL and token', async () => {
    const stop = serveTasks();
    // The "Bash Script Example" of claude-task-api.md, with HOST and TOKEN set.
    const script = `
set -euo pipefail
HOST="${ctx.api.url}"
TOKEN="\${CLAUDE_API_TOKEN}"
TASK_ID=$(curl -s -X POST "$HOST/api/claude/tasks" \\
  -H "Authorization: Bearer $TOKEN" \\
  -H "Content-Type: application/json" \\
  -d '{"prompt": "List all TODO comments in the codebase"}' \\
  | jq -r '.task_id')
echo "Task created: $TASK_ID"
while true; do
  STATUS=$(curl -s "$HOST/api/claude/tasks/$TASK_ID" \\
    -H "Authorization: Bearer $TOKEN" \\
    | jq -r '.status')
  echo "Status: $STATUS"
  [ "$STATUS" != "running" ] && break
  sleep 0.2
done
curl -s "$HOST/api/claude/tasks/$TASK_ID/output" \\
  -H "Authorization: Bearer $TOKEN"
`;
    try {
      const { stdout } = await run('bash', ['-c', script], { env: { ...process.env, CLAUDE_API_TOKEN: ctx.api.adminToken }, timeout: 30_000 });
      expect(stdout).toMatch(/Task created: tsk_/);
      expect(stdout).toContain('Status: completed');
      expect(stdout.trimEnd().endsWith('__CLAUDE_EXIT_CODE_0__')).toBe(true);
      expect(stdout).toContain(LINES[2]);
    } finally {
      await stop();
    }
  });

  it('runs the reference Python integration example (requests) unchanged but for base URL and token', async () => {
    const stop = serveTasks(3);
    const py = `
import requests, time

BASE_URL = "${ctx.api.url}"
TOKEN = "${ctx.api.adminToken}"
headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
response = requests.post(f"{BASE_URL}/api/claude/tasks", headers=headers,
    json={"prompt": "Refactor the authentication module to use JWT tokens", "workdir": "/tmp"})
task = response.json()
task_id = task["task_id"]
print(f"Task created: {task_id}, status: {task['status']}")
while True:
    task = requests.get(f"{BASE_URL}/api/claude/tasks/{task_id}", headers=headers).json()
    status = task["status"]
    if status in ("completed", "error", "killed"):
        break
    time.sleep(0.2)
print("final", status)
print(requests.get(f"{BASE_URL}/api/claude/tasks/{task_id}/output", headers=headers).text)
followup = requests.post(f"{BASE_URL}/api/claude/tasks/{task_id}/message", headers=headers,
    json={"prompt": "Now write tests for the changes you made"}).json()
print("followup", followup["status"], len(followup["followups"]))
`;
    try {
      const { stdout } = await run('python3', ['-c', py], { timeout: 30_000 });
      expect(stdout).toMatch(/Task created: tsk_\w+, status: running/);
      expect(stdout).toContain('final error');
      expect(stdout).toContain('__CLAUDE_EXIT_CODE_3__');
      expect(stdout).toContain('followup running 1');
    } finally {
      await stop();
    }
  });

  it('answers detail, list, tail, kill and prepare-terminal with the seed fields', async () => {
    const long = `x`.repeat(300);
    const created = await seed('/tasks', { method: 'POST', json: { prompt: long, workdir: '/tmp' } });
    expect(created.status).toBe(201);
    const c = (await created.json()) as Record<string, unknown>;
    expect(c).toMatchObject({ status: 'running', prompt: long, workdir: '/tmp', tmux_session: `sy-${c.task_id as string}` });
    expect(typeof c.created_at).toBe('number');
    expect(c.session_id).toMatch(/^[0-9a-f-]{36}$/);

    const list = (await (await seed('/tasks')).json()) as { tasks: { task_id: string; prompt: string }[] };
    expect(list.tasks[0]!.task_id).toBe(c.task_id);
    expect(list.tasks[0]!.prompt).toHaveLength(120);

    const term = (await (await seed(`/tasks/${c.task_id as string}/prepare-terminal`, { method: 'POST' })).json()) as { command: string };
    expect(term.command).toBe(`tmux attach -t sy-${c.task_id as string}`);

    const killed = (await (await seed(`/tasks/${c.task_id as string}`, { method: 'DELETE' })).json()) as Record<string, unknown>;
    expect(killed).toMatchObject({ task_id: c.task_id, status: 'killed' });
    expect(typeof killed.killed_at).toBe('number');
    const detail = (await (await seed(`/tasks/${c.task_id as string}`)).json()) as Record<string, unknown>;
    expect(detail.status).toBe('killed');
    expect(detail).toHaveProperty('recent_output');
  });

  it('calls a task error when claude exits non-zero, even after a success result, as the seed did', async () => {
    const created = (await (await seed('/tasks', { method: 'POST', json: { prompt: 'exits 2', workdir: '/tmp' } })).json()) as { task_id: string };
    await agent.run(created.task_id, LINES, { exitCode: 2, isError: false });
    const detail = (await (await seed(`/tasks/${created.task_id}`)).json()) as { status: string };
    expect(detail.status).toBe('error');
    const output = await (await seed(`/tasks/${created.task_id}/output`)).text();
    expect(output.trimEnd().endsWith('__CLAUDE_EXIT_CODE_2__')).toBe(true);
    const list = (await (await seed('/tasks')).json()) as { tasks: { task_id: string; status: string }[] };
    expect(list.tasks.find((t) => t.task_id === created.task_id)?.status).toBe('error');
    // /v1 keeps Claude's own verdict and the exit code beside it.
    expect((await (await ctx.api.call(`/v1/tasks/${created.task_id}`)).json()) as TaskView).toMatchObject({ status: 'completed', exitCode: 2 });
  });

  it('keeps the seed error shapes: 400, 401 and 404 as {"error": "..."}', async () => {
    let r = await seed('/tasks', { method: 'POST', json: { workdir: '/tmp' } });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: 'prompt is required' });
    r = await seed('/tasks', { method: 'POST', json: { prompt: '   ' } });
    expect(await r.json()).toEqual({ error: 'prompt is required' });
    r = await seed('/tasks', { method: 'POST', json: { prompt: 'p', workdir: 5 } });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: 'workdir must be a string' });
    r = await seed('/tasks', { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: 'Invalid JSON body' });
    r = await seed('/tasks', { token: 'wrong' });
    expect(r.status).toBe(401);
    expect(typeof ((await r.json()) as { error: unknown }).error).toBe('string');
    r = await seed('/tasks/tsk_doesnotexist000');
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: 'Task not found' });
    r = await seed('/tasks/tsk_doesnotexist000/output?tail=abc');
    expect(r.status).toBe(404);
  });
});
