import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { ask, runningTask, send, waitVerdict } from '../support/approvals.ts';
import { HandAgent } from '../support/hand-agent.ts';
import { cli, cliEnv, freshHome, MAIN, startCli } from './support/cli.ts';

// Issue #15, the CLI: `switchyard approvals`, `approve`, `deny`, and the prompt while following.

const ctx = useApi();
let agent: HandAgent;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  await send(ctx.api, '/v1/workspaces/local', { method: 'PATCH', json: { maxConcurrency: 8 } });
  agent = await new HandAgent(ctx.api).register('pod-cli-approvals');
  env = cliEnv(freshHome(), { SWITCHYARD_URL: ctx.api.url, SWITCHYARD_TOKEN: ctx.api.adminToken });
});

const sy = (args: string[]) => cli(args, { env });

describe('switchyard approvals / approve / deny', () => {
  it('lists what waits, allows it (edited), and the waiting agent gets the edited input', async () => {
    const { task, lease } = await runningTask(ctx.api, agent);
    const id = (await ask(ctx.api, agent, lease, 'Bash', { command: 'npm test' })).body.approvalId;

    const list = await sy(['approvals', '--task', task.id]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+TASK\s+WORKSPACE\s+TOOL\s+INPUT\s+STATUS\s+ASKED\n/);
    expect(list.stdout).toContain(id);
    expect(list.stdout).toMatch(/Bash\s+npm test\s+pending/);

    const approved = await sy(['approve', id, '--input', '{"command":"npm test -- --run"}']);
    expect([approved.code, approved.stdout]).toEqual([0, `${id}: allowed\n`]);
    expect((await waitVerdict(ctx.api, agent, id)).body.answer).toEqual({ behavior: 'allow', updatedInput: { command: 'npm test -- --run' } });

    const none = await sy(['approvals', '--task', task.id]);
    expect([none.code, none.stdout, none.stderr]).toEqual([0, '', 'Nothing waits for an answer.\n']);
    const all = await sy(['approvals', '--task', task.id, '--all', '-o', 'json']);
    expect((JSON.parse(all.stdout) as { approvals: ApprovalView[] }).approvals.map((a) => [a.id, a.status, a.answeredBy])).toEqual([[id, 'allowed', 'bootstrap-admin']]);

    const again = await sy(['deny', id, '--message', 'no']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/allowed, no longer pending/);
    await agent.finish(task.id);
  });

  it('denies with the message claude reads, and allows for the rest of the task', async () => {
    const { task, lease } = await runningTask(ctx.api, agent);
    const write = (await ask(ctx.api, agent, lease, 'Write', { file_path: '/tmp/x', content: 'y' })).body.approvalId;
    const denied = await sy(['deny', write, '--message', 'write under /tmp/out']);
    expect([denied.code, denied.stdout]).toEqual([0, `${write}: denied: write under /tmp/out\n`]);
    expect((await waitVerdict(ctx.api, agent, write)).body.answer).toEqual({ behavior: 'deny', message: 'write under /tmp/out' });

    const make = (await ask(ctx.api, agent, lease, 'Bash', { command: 'make build' })).body.approvalId;
    const forTask = await sy(['approve', make, '--for-task']);
    expect([forTask.code, forTask.stdout]).toEqual([0, `${make}: allowed (and Bash(make:*) for the rest of the task)\n`]);
    expect((await ask(ctx.api, agent, lease, 'Bash', { command: 'make test' })).body.status).toBe('allowed');

    const bad = await sy(['approve', make, '--input', 'not json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--input must be a JSON object/);
    await agent.finish(task.id);
  });

  it('while following a task, shows a waiting call and the command that answers it (no TTY)', async () => {
    const { task, lease } = await runningTask(ctx.api, agent);
    const follow = startCli(['task', 'logs', '-f', task.id], { env });
    const id = (await ask(ctx.api, agent, lease, 'Bash', { command: 'terraform apply' })).body.approvalId;
    await follow.waitFor(new RegExp(`switchyard approve ${id}`));
    expect(follow.stderr()).toContain('⏸ claude asks to use Bash: terraform apply');
    expect(follow.stderr()).toContain(`switchyard deny ${id} --message`);
    await sy(['approve', id]);
    await agent.finish(task.id);
    expect((await follow.done).code).toBe(0);
  });

  it('on a terminal, asks for the answer while following: A allows for the rest of the task', async () => {
    const { task, lease } = await runningTask(ctx.api, agent);
    // `script` gives the CLI a pseudo-terminal, as a person's shell would.
    const proc = spawn('script', ['-qfec', `${process.execPath} ${MAIN} task logs -f ${task.id}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const printed = (re: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (re.test(out) ? resolve() : proc.exitCode !== null ? reject(new Error(out)) : undefined);
        proc.stdout!.on('data', (b: Buffer) => {
          out += b.toString();
          check();
        });
        check();
      });
    const id = (await ask(ctx.api, agent, lease, 'Bash', { command: 'make lint' })).body.approvalId;
    await printed(/\[A\] allow for the rest of this task/);
    expect(out).toContain('"command":"make lint"');
    proc.stdin!.write('A');
    await printed(/allowed/);
    expect((await waitVerdict(ctx.api, agent, id)).body.status).toBe('allowed');
    expect((await ask(ctx.api, agent, lease, 'Bash', { command: 'make check' })).body.status).toBe('allowed');
    await agent.finish(task.id);
    await new Promise((resolve) => proc.on('close', resolve));
  });
});
