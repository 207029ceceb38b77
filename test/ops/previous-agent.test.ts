import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView, TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { CLAUDE_SIM, REPO, cleanupAgentDir, spawnService, waitFor, type ServiceProcess } from '../support/agent.ts';
import { releaseTree, type ReleaseTree } from './support/release-tree.ts';

// The agent of the previous protocol minor is the one Switchyard v0.1.0 shipped (protocol 1.0,
// which sent no version at all). Its own code, as tag v0.1.0 has it (test/ops/fixtures), runs against the
// current API: a fleet upgrades the API first and its pods' agents later.

const ctx = useApi();
let tree: ReleaseTree;
let agent: ServiceProcess;
let agentDir: string;

beforeAll(async () => {
  tree = releaseTree('v0.1.0');
  agentDir = mkdtempSync(join(tmpdir(), 'sy-agent-v010-'));
  // v0.1.0 ran its TypeScript through tsx; its bin registers it.
  const bin = join(tree.dir, 'apps', 'agent', 'bin', 'switchyard-agent.js');
  agent = spawnService(relative(REPO, bin), {
    SWITCHYARD_URL: ctx.api.url,
    SWITCHYARD_AGENT_TOKEN_FILE: ctx.api.agentTokenFile,
    SWITCHYARD_AGENT_DIR: agentDir,
    SWITCHYARD_AGENT_SLOTS: '2',
    SWITCHYARD_WORKDIR_ROOTS: ['/tmp', tmpdir()].join(':'),
    SWITCHYARD_CLAUDE_BIN: CLAUDE_SIM,
    CLAUDE_SIM_STATE_DIR: join(agentDir, 'claude-sim-state'),
  });
  await waitFor(async () => {
    if (agent.proc.exitCode !== null) throw new Error(`the v0.1.0 agent exited: ${agent.output()}`);
    const ws = (await (await ctx.api.call('/v1/workspaces/local')).json()) as { ready: boolean };
    return ws.ready;
  }, 60_000, 'the v0.1.0 agent to make workspace local ready');
});

afterAll(async () => {
  await agent?.stop();
  if (agentDir) cleanupAgentDir(agentDir);
  tree?.remove();
});

async function until(id: string, turn: number): Promise<TaskView> {
  return waitFor(async () => {
    const t = (await (await ctx.api.call(`/v1/tasks/${id}`)).json()) as TaskView;
    return t.turns.length === turn && ['completed', 'failed', 'lost'].includes(t.status) ? t : null;
  }, 45_000, `task ${id} turn ${turn} to end`);
}

describe('an agent of the previous protocol version (v0.1.0, protocol 1.0)', () => {
  it('registers, runs a task and its follow-up to completion, and ships every line', async () => {
    const agents = (await (await ctx.api.call('/v1/agents')).json()) as { agents: AgentView[] };
    expect(agents.agents).toEqual([expect.objectContaining({ agentVersion: '0.1.0', online: true, problems: [] })]);

    const res = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt: '@sim say hello from an old agent\n@sim cost 0.25' } });
    expect(res.status).toBe(201);
    const created = (await res.json()) as TaskView;
    const first = await until(created.id, 1);
    expect(first).toMatchObject({ status: 'completed', exitCode: 0, costUsd: 0.25 });
    const out1 = await (await ctx.api.call(`/v1/tasks/${created.id}/output`)).text();
    expect(out1).toContain('hello from an old agent');
    expect(out1.trimEnd().split('\n')).toHaveLength(first.lastSeq);

    const sent = await ctx.api.call(`/v1/tasks/${created.id}/messages`, { method: 'POST', json: { prompt: '@sim say and the follow-up' } });
    expect(sent.status).toBe(202);
    const second = await until(created.id, 2);
    expect(second.status).toBe('completed');
    const out2 = await (await ctx.api.call(`/v1/tasks/${created.id}/output`)).text();
    expect(out2.startsWith(out1)).toBe(true);
    expect(out2).toContain('and the follow-up');
    expect(out2.trimEnd().split('\n')).toHaveLength(second.lastSeq);
  });
});
