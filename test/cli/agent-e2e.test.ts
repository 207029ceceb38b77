import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { cleanupAgentDir, startAgent, waitFor, type TestAgent } from '../support/agent.ts';
import { cli, cliEnv, freshHome, startCli } from './support/cli.ts';

const ctx = useApi();

// The CLI against the whole system: real agent daemon, real tmux, claude-sim.
describe('switchyard CLI with a real agent, tmux and claude-sim', () => {
  let agent: TestAgent;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    agent = startAgent({ url: ctx.api.url, tokenFile: ctx.api.agentTokenFile });
    await waitFor(async () => ((await (await ctx.api.call('/v1/workspaces/local')).json()) as { ready: boolean }).ready, 30_000, 'workspace local to be ready');
    env = cliEnv(freshHome(), { SWITCHYARD_URL: ctx.api.url, SWITCHYARD_TOKEN: ctx.api.adminToken });
  });
  afterAll(async () => {
    await agent?.stop();
    if (agent) cleanupAgentDir(agent.dir);
  });

  it('--follow prints the live transcript and exits 0; a failing task exits 1', async () => {
    const ok = await cli(['task', 'create', '-w', 'local', '-C', '/tmp', '--follow', '@sim say hello from the sim'], { env });
    expect(ok.stderr).toMatch(/✔ completed · tsk_/);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('hello from the sim');

    const bad = await cli(['task', 'create', '-w', 'local', '-C', '/tmp', '--wait', '@sim fail boom'], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/✖ failed · tsk_/);
  });

  it('attach finds the real tmux session of a running task', async () => {
    const run = startCli(['task', 'create', '-w', 'local', '-C', '/tmp', '@sim sleep 20'], { env });
    const { stdout } = await run.done;
    const id = stdout.trim();
    await waitFor(async () => ((await (await ctx.api.call(`/v1/tasks/${id}`)).json()) as TaskView).status === 'running', 30_000, 'task to run');
    // No terminal here, so tmux attach itself fails; what matters is that the CLI found the
    // session and handed over to tmux instead of printing the remote instructions.
    const r = await cli(['task', 'attach', id], { env });
    expect(r.stdout).not.toContain('On that machine, run:');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`switchyard: tmux needs a terminal; run 'tmux -S ${agent.dir}/tmux.sock attach -t sy-${id}' from one.`);
    await cli(['task', 'kill', '--wait', id], { env });
  });
});
