import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { cli, cliEnv, freshHome, startCli, type RunningCli } from './support/cli.ts';
import { startCutProxy } from './support/cut-proxy.ts';
import { HandAgent, sj } from '../support/hand-agent.ts';

const ctx = useApi();

let agent: HandAgent;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  agent = await new HandAgent(ctx.api).register('pod-cli-test');
  env = cliEnv(freshHome(), { SWITCHYARD_URL: ctx.api.url, SWITCHYARD_TOKEN: ctx.api.adminToken });
});

// The workspace runs one task at a time: whatever a test leaves unfinished is ended here, so
// the next test's task gets the slot.
afterEach(async () => {
  const res = await ctx.api.call('/v1/tasks?status=queued,dispatched,running,rate_limited&limit=500');
  const { tasks } = (await res.json()) as { tasks: TaskView[] };
  for (const t of tasks) {
    if (t.status === 'running') await agent.finish(t.id, { outcome: 'killed' }).catch(() => undefined);
    else await ctx.api.call(`/v1/tasks/${t.id}/kill`, { method: 'POST' });
  }
});

const sy = (args: string[], input?: string) => cli(args, { env, input });
const getTask = async (id: string) => (await (await ctx.api.call(`/v1/tasks/${id}`)).json()) as TaskView;

async function createdId(run: RunningCli): Promise<string> {
  await run.waitFor(/created tsk_/);
  return /created (tsk_[a-z0-9]+)/.exec(run.stderr())![1]!;
}

async function createTask(prompt = 'a task'): Promise<string> {
  const r = await sy(['task', 'create', '-w', 'local', '-C', '/tmp', prompt]);
  expect(r.code).toBe(0);
  return r.stdout.trim();
}

describe('switchyard task create', () => {
  it('maps every flag onto the task and prints only the id on stdout', async () => {
    const r = await sy([
      'task', 'create', '-w', 'local', '-C', '/tmp', '--model', 'sonnet', '--permission-mode', 'plan',
      '--allowed-tools', 'Read,Grep', '--allowed-tools', 'Bash(git *)', '--disallowed-tools', 'WebFetch',
      '--max-turns', '7', '--max-budget-usd', '2.5', '--max-duration', '30m', '--idle-timeout', '90s',
      '-p', '5', '-l', 'ci=yes', '-l', 'pr=42', 'Fix', 'the', 'test',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tsk_[a-z0-9]+\n$/);
    const id = r.stdout.trim();
    expect(r.stderr).toContain(`created ${id} (queued in local)`);
    expect(await getTask(id)).toMatchObject({
      prompt: 'Fix the test',
      workdir: '/tmp',
      priority: 5,
      labels: { ci: 'yes', pr: '42' },
      options: { model: 'sonnet', permissionMode: 'plan', allowedTools: ['Read', 'Grep', 'Bash(git *)'], disallowedTools: ['WebFetch'], maxTurns: 7, maxBudgetUsd: 2.5 },
      maxDurationSec: 1800,
      idleTimeoutSec: 90,
    });
  });

  it('reads the prompt from stdin with -, prints JSON with -o json, and replays an Idempotency-Key', async () => {
    const prompt = 'Review this diff\n+ added\n- removed\n';
    const first = await sy(['task', 'create', '-w', 'local', '--idempotency-key', 'ci-77', '-o', 'json', '-'], prompt);
    expect(first.code).toBe(0);
    const task = JSON.parse(first.stdout) as TaskView;
    expect(task).toMatchObject({ prompt: prompt.trimEnd(), status: 'queued', workspace: 'local' });

    const again = await sy(['task', 'create', '-w', 'local', '--idempotency-key', 'ci-77', '-o', 'json', '-'], prompt);
    expect(JSON.parse(again.stdout).id).toBe(task.id);
    expect(again.stderr).toContain(`${task.id} already exists for this idempotency key`);

    const clash = await sy(['task', 'create', '-w', 'local', '--idempotency-key', 'ci-77', 'something else']);
    expect(clash.code).toBe(3);
    expect(clash.stderr).toContain('error: conflict: Idempotency-Key was already used with a different body');
    expect(clash.stderr).toContain('Use a new --idempotency-key');
  });

  it('takes the workspace from SWITCHYARD_WORKSPACE', async () => {
    const r = await cli(['task', 'create', 'from env'], { env: { ...env, SWITCHYARD_WORKSPACE: 'local' } });
    expect(r.code).toBe(0);
    expect((await getTask(r.stdout.trim())).workspace).toBe('local');
  });

  it('exits 2 on a wrong command line, before or after asking the API', async () => {
    const cases: Array<[string[], string]> = [
      [['--permission-mode', 'yolo', 'x'], '--permission-mode must be one of plan, dontAsk, default, manual, acceptEdits, auto, bypassPermissions; got "yolo"'],
      [['--max-turns', '0', 'x'], '--max-turns must be at least 1; got 0'],
      [['--max-duration', 'soon', 'x'], '--max-duration takes a duration like 90s, 30m, 2h or 1d, not "soon"'],
      [['--label', 'novalue', 'x'], '--label takes key=value, not "novalue"'],
      [['--model', 'bad model!', 'x'], '--model: a model name or alias'],
      [['--effort', 'huge', 'x'], '--effort must be one of low, medium, high, xhigh, max; got "huge"'],
      [['--json-schema', '{not json', 'x'], '--json-schema: not JSON'],
      [['--fallback-model', 'a,,b', 'x'], '--fallback-model: one to five model names, comma-separated'],
      [['--follow', '-o', 'json', 'x'], '--follow prints a transcript, not JSON'],
      [[], "'task create' needs PROMPT|-"],
      [['-'], 'the prompt is empty'],
      [['-C', 'relative/dir', 'x'], 'the API refused the request: workdir must be an absolute path'],
      [['-w', 'nowhere', 'x'], 'workspace nowhere not found'],
    ];
    const results = await Promise.all(cases.map(([args]) => sy(['task', 'create', ...(args.includes('-w') ? [] : ['-w', 'local']), ...args], '')));
    cases.forEach(([args, message], i) => {
      expect(results[i]!.stderr, args.join(' ')).toContain(message);
      expect(results[i]!.code, args.join(' ')).toBe(message.includes('not found') ? 3 : 2);
    });
  });
});

describe('switchyard task --wait and --follow', () => {
  it('task wait collects the verdict of a task created earlier', async () => {
    const id = await createTask('later');
    const run = startCli(['task', 'wait', id, '-o', 'json'], { env });
    await run.waitFor(/· queued/);
    await agent.run(id, [sj.result('done later')], { result: 'done later' });
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id, status: 'completed', result: 'done later' });
  });

  it('--wait prints the result and exits 0 when the task completes', async () => {
    const run = startCli(['task', 'create', '-w', 'local', '--wait', 'answer me'], { env });
    const id = await createdId(run);
    await agent.run(id, [sj.init(), sj.result('forty-two')], { result: 'forty-two', costUsd: 0.25 });
    const r = await run.done;
    expect(r.stdout).toBe('forty-two\n');
    expect(r.stderr).toMatch(new RegExp(`✔ completed · ${id} · 1\\.2s · \\$0\\.2500`));
    expect(r.code).toBe(0);
  });

  it('--wait exits 1 when the task fails, and -o json prints the final task', async () => {
    const run = startCli(['task', 'create', '-w', 'local', '--wait', '-o', 'json', 'break it'], { env });
    const id = await createdId(run);
    await agent.run(id, [sj.result('it broke', false)], { exitCode: 1 });
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ id, status: 'failed', exitCode: 1 });
    expect(r.stderr).toContain(`✖ failed · ${id}`);
    // Following or waiting for a finished task exits the same way at once.
    const waited = await sy(['task', 'wait', id]);
    expect(waited).toMatchObject({ code: 1, stdout: 'it broke\n' });
    const logs = await sy(['task', 'logs', '-f', id]);
    expect(logs.code).toBe(1);
    expect(logs.stdout).toContain('✖ failed (error_during_execution)');
  });

  it('--follow streams the readable transcript while the task runs, then exits like --wait', async () => {
    const run = startCli(['task', 'create', '-w', 'local', '-f', 'talk to me'], { env });
    const id = await createdId(run);
    await agent.lease(id);
    await agent.start(id);
    await agent.emit(id, [sj.init(), sj.text('hello from claude')]);
    // Printed while the task is still running: live, not at the end.
    await run.waitFor(/hello from claude/);
    expect((await getTask(id)).status).toBe('running');
    await agent.emit(id, [sj.tool('Bash', 'npm test'), sj.result('all green')]);
    await agent.finish(id, { result: 'all green' });
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(['▶ session sess-1 · model claude-sim · /tmp', 'hello from claude', '⚙ Bash npm test', '✔ done (success) · $0.0100 · 1 turns · 1.2s', 'all green', ''].join('\n'));
    expect(r.stderr).toContain('· running');
    expect(r.stderr).toContain(`✔ completed · ${id}`);
  });

  it('--follow --raw prints the stream-json lines as stored', async () => {
    const run = startCli(['task', 'create', '-w', 'local', '-f', '--raw', 'raw please'], { env });
    const id = await createdId(run);
    await agent.run(id, [sj.text('one'), sj.result('two')]);
    const r = await run.done;
    expect(r.stdout).toBe(`${sj.text('one')}\n${sj.result('two')}\n`);
  });
});

describe('switchyard task list, show, logs', () => {
  it('lists tasks as a table with relative times, filters them, and prints JSON', async () => {
    const a = await createTask('first of two');
    const b = await createTask('second of two');
    await sy(['task', 'kill', a]);
    const table = await sy(['task', 'list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+WORKSPACE\s+CREATED\s+DURATION\s+TURNS\s+COST\s+PROMPT$/);
    expect(lines.find((l) => l.startsWith(b))).toMatch(/queued\s+local\s+(just now|\d+s ago)\s+-\s+1\s+-\s+second of two/);
    expect(lines.find((l) => l.startsWith(a))).toMatch(/cancelled/);

    const cancelled = await sy(['task', 'list', '--status', 'cancelled', '-o', 'json']);
    const ids = (JSON.parse(cancelled.stdout) as { tasks: TaskView[] }).tasks.map((t) => t.id);
    expect(ids).toContain(a);
    expect(ids).not.toContain(b);
    const active = await sy(['task', 'list', '-s', 'active', '-w', 'local', '-o', 'json']);
    expect((JSON.parse(active.stdout) as { tasks: TaskView[] }).tasks.map((t) => t.id)).toEqual([b]);

    const one = await sy(['task', 'list', '--limit', '1']);
    expect(one.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(one.stderr).toMatch(/More tasks: add --cursor \S+/);

    const bad = await sy(['task', 'list', '-s', 'finished']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown status "finished"');
  });

  it('shows a task in full, logs it readable, raw and tailed', async () => {
    const id = await createTask('show me');
    await agent.run(id, [sj.init(), sj.text('line one\nline two'), sj.result('finished well')], { result: 'finished well', costUsd: 0.125 });

    const show = await sy(['task', 'show', id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^ID:\s+tsk_/);
    expect(show.stdout).toMatch(/Status:\s+completed/);
    expect(show.stdout).toMatch(/Cost:\s+\$0\.1250/);
    expect(show.stdout).toMatch(/Finished:\s+\S+ \((just now|\d+s ago)\)/);
    expect(show.stdout).toMatch(/Result:\s+finished well/);
    expect(show.stdout).toMatch(new RegExp(`Attach:\\s+tmux attach -t sy-${id}\n`));
    expect(JSON.parse((await sy(['task', 'show', id, '-o', 'json'])).stdout)).toMatchObject({ id, status: 'completed', result: 'finished well' });

    const logs = await sy(['task', 'logs', id]);
    expect(logs.stdout).toBe('▶ session sess-1 · model claude-sim · /tmp\nline one\nline two\n✔ done (success) · $0.0100 · 1 turns · 1.2s\nfinished well\n');
    const raw = await sy(['task', 'logs', '--raw', id]);
    expect(raw.stdout).toBe([sj.init(), sj.text('line one\nline two'), sj.result('finished well'), ''].join('\n'));
    const tail = await sy(['task', 'logs', '--raw', '-n', '1', id]);
    expect(tail.stdout).toBe(`${sj.result('finished well')}\n`);

    const queued = await createTask('not yet');
    const none = await sy(['task', 'logs', queued]);
    expect(none).toMatchObject({ code: 0, stdout: '' });
    expect(none.stderr).toContain(`No output yet: ${queued} is queued.`);
  });

  it('stops following on Ctrl-C with exit 130 and leaves the task alone', async () => {
    const id = await createTask('keep running');
    const run = startCli(['task', 'logs', '-f', id], { env });
    await run.waitFor(/· queued/);
    run.proc.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(`stopped following ${id}; the task keeps running.\nFollow it again with 'switchyard task logs -f ${id}'`);
    expect((await getTask(id)).status).toBe('queued');
  });

  it('says how to find tasks when an id is unknown, with exit 3', async () => {
    const r = await sy(['task', 'show', 'tsk_doesnotexist']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("error: task tsk_doesnotexist not found\nList tasks with 'switchyard task list'.\n");
  });

  it('logs -f resumes after the connection is cut: every line once, in order', async () => {
    const proxy = await startCutProxy(ctx.api.url);
    try {
      const id = await createTask('survive a cut');
      await agent.lease(id);
      await agent.start(id);
      const run = startCli(['task', 'logs', '-f', id], { env: { ...env, SWITCHYARD_URL: proxy.url } });
      await agent.emit(id, [sj.text('m1'), sj.text('m2'), sj.text('m3')]);
      await run.waitFor(/m3/);
      proxy.cutAll();
      // Lines written while the follower is disconnected must arrive after it resumes.
      await agent.emit(id, [sj.text('m4'), sj.text('m5')]);
      await run.waitFor(/resuming after line 3/);
      await agent.emit(id, [sj.text('m6')]);
      await run.waitFor(/m6/);
      proxy.cutAll();
      await agent.emit(id, [sj.result('m7')]);
      await agent.finish(id, { result: 'm7' });
      const r = await run.done;
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('m1\nm2\nm3\nm4\nm5\nm6\n✔ done (success) · $0.0100 · 1 turns · 1.2s\nm7\n');
      expect(proxy.connections()).toBeGreaterThanOrEqual(3);
    } finally {
      await proxy.close();
    }
  });
});

describe('switchyard task send, kill, attach', () => {
  it('sends a follow-up and --wait waits for that turn', async () => {
    const id = await createTask('first question');
    await agent.run(id, [sj.result('first answer')], { result: 'first answer' });
    const run = startCli(['task', 'send', '--wait', id, '-'], { env, input: 'second question\n' });
    await run.waitFor(/sent turn 2/);
    await agent.run(id, [sj.result('second answer')], { result: 'second answer' });
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('second answer\n');
    const task = await getTask(id);
    expect(task.turns.map((t) => t.prompt)).toEqual(['first question', 'second question']);
  });

  it('kills a queued task (cancelled) and a running one (killed once the agent stops it)', async () => {
    const queued = await createTask('never runs');
    const k1 = await sy(['task', 'kill', queued]);
    expect(k1).toMatchObject({ code: 0, stdout: `${queued}: cancelled\n` });

    const running = await createTask('runs a while');
    await agent.lease(running);
    await agent.start(running);
    const run = startCli(['task', 'kill', '--wait', running], { env });
    // The agent hears the kill on its next sync and reports the turn killed.
    await expect.poll(async () => (await agent.sync()).commands.some((c) => c.type === 'kill' && c.taskId === running), { timeout: 10_000 }).toBe(true);
    await agent.finish(running, { outcome: 'killed' });
    const r = await run.done;
    expect(r).toMatchObject({ code: 0, stdout: `${running}: killed\n` });

    const mixed = await sy(['task', 'kill', 'tsk_nothere', await createTask('also dies')]);
    expect(mixed.code).toBe(3);
    expect(mixed.stderr).toContain('tsk_nothere: error: task tsk_nothere not found');
    expect(mixed.stdout).toMatch(/^tsk_\w+: cancelled\n$/);
  });

  it('attaches with tmux when the session is on this machine, else says where to run it', async () => {
    const shimDir = mkdtempSync(join(tmpdir(), 'sy-tmux-shim-'));
    const log = join(shimDir, 'calls');
    writeFileSync(join(shimDir, 'tmux'), `#!/bin/sh\necho "$@" >> "${log}"\ncase "$1" in has-session) [ "$3" = "=$SHIM_SESSION" ] && exit 0; exit 1;; esac\nexit 0\n`);
    chmodSync(join(shimDir, 'tmux'), 0o755);
    const shimEnv = { ...env, PATH: `${shimDir}:${env.PATH}` };

    const id = await createTask('attach to me');
    await agent.lease(id);
    await agent.start(id);
    const here = await cli(['task', 'attach', id], { env: { ...shimEnv, SHIM_SESSION: `sy-${id}` } });
    expect(here.code).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe(`has-session -t =sy-${id}\nattach-session -t =sy-${id}\n`);

    const nested = await cli(['task', 'attach', id], { env: { ...shimEnv, SHIM_SESSION: `sy-${id}`, TMUX: '/tmp/tmux-0/default,1,0' } });
    expect(nested.code).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain(`switch-client -t =sy-${id}`);

    const elsewhere = await cli(['task', 'attach', id], { env: { ...shimEnv, SHIM_SESSION: 'other' } });
    expect(elsewhere.code).toBe(0);
    expect(elsewhere.stdout).toBe(`${id} is running in workspace local (agent host pod-cli-test); no tmux session sy-${id} on this machine.\nOn that machine, run:\n  tmux attach -t sy-${id}\n`);

    await agent.finish(id);
    const done = await sy(['task', 'attach', id]);
    expect(done.stdout).toContain(`${id} is completed: its tmux session is gone. Read what it did with 'switchyard task logs ${id}'.`);
  });
});
