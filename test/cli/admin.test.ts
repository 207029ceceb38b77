import { readFileSync, statSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TeamView, TokenView, WorkspaceView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { cli, cliEnv, freshHome } from './support/cli.ts';
import { HandAgent } from '../support/hand-agent.ts';

const ctx = useApi();

let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  await new HandAgent(ctx.api).register('pod-admin-test');
  env = cliEnv(freshHome(), { SWITCHYARD_URL: ctx.api.url, SWITCHYARD_TOKEN: ctx.api.adminToken });
});

const sy = (args: string[], extra: NodeJS.ProcessEnv = {}) => cli(args, { env: { ...env, ...extra } });

describe('switchyard workspace', () => {
  it('lists workspaces with readiness and agent, and shows one', async () => {
    const list = await sy(['workspace', 'list']);
    expect(list.code).toBe(0);
    const [header, row] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME\s+TEAM\s+READY\s+AGENT\s+RUNNING\s+QUEUED\s+FLAGS\s+AGE\s+PROBLEMS$/);
    expect(row).toMatch(/^local\s+default\s+yes\s+pod-admin-test \[sim\]\s+0\/1\s+0\s+-\s+\S+/);
    const json = JSON.parse((await sy(['ws', 'ls', '-o', 'json'])).stdout) as { workspaces: WorkspaceView[] };
    expect(json.workspaces.map((w) => w.name)).toEqual(['local']);

    const show = await sy(['workspace', 'show', 'local']);
    expect(show.stdout).toMatch(/Ready:\s+yes/);
    expect(show.stdout).toMatch(/Agent:\s+pod-admin-test \(online, last seen (just now|\d+s ago)\)/);
    const missing = await sy(['workspace', 'show', 'nope']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("List workspaces with 'switchyard workspace list'.");
  });

  it('creates a workspace, changes it, and issues its agent token', async () => {
    const created = await sy(['workspace', 'create', 'dev-alice', '--team', 'default', '--max-concurrency', '2', '--pool', '--workdir-root', '/tmp', '-l', 'gpu=no', '-l', 'old=1']);
    expect(created.stderr).toBe("Next: issue its agent token with 'switchyard workspace token dev-alice --out-file agent-token'.\n");
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created workspace dev-alice \(ws_\w+\) in team default\n$/);

    const set = await sy(['workspace', 'set', 'dev-alice', '--paused', '--no-pool', '--max-concurrency', '3', '-l', 'gpu=yes', '-l', 'old-', '-o', 'json']);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: 'dev-alice', paused: true, pool: false, maxConcurrency: 3, labels: { gpu: 'yes' }, workdirRoots: ['/tmp'] });
    expect(JSON.parse(set.stdout).labels).not.toHaveProperty('old');
    const nothing = await sy(['workspace', 'set', 'dev-alice']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to change');

    const dir = mkdtempSync(join(tmpdir(), 'sy-agent-token-'));
    const file = join(dir, 'agent-token');
    const token = await sy(['workspace', 'token', 'dev-alice', '--out-file', file]);
    expect(token.code).toBe(0);
    expect(token.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toMatch(/^sya_\S+\n$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const printed = await sy(['workspace', 'token', 'dev-alice']);
    expect(printed.stdout).toMatch(/^sya_\S+\n$/);
    expect(printed.stderr).toContain('shown only this once');
  });
});

describe('switchyard team', () => {
  it('creates and lists teams, sets one limit at a time, and shows usage', async () => {
    const created = await sy(['team', 'create', 'backend']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created team backend \(team_\w+\)\n$/);
    const list = await sy(['team', 'list']);
    expect(list.stdout).toMatch(/^NAME\s+ID\s+MAX RUNNING\s+MAX QUEUED\s+TASKS\/DAY\s+BUDGET\/MONTH\s+AGE\n/);
    expect(list.stdout).toMatch(/\nbackend\s+team_\w+\s+unlimited\s+unlimited\s+unlimited\s+unlimited\s+/);

    expect((await sy(['team', 'quota', 'backend', '--max-running', '4', '--monthly-budget', '500'])).code).toBe(0);
    const after = JSON.parse((await sy(['team', 'quota', 'backend', '--tasks-per-day', '100', '-o', 'json'])).stdout) as TeamView;
    expect(after.quota).toEqual({ maxRunning: 4, maxQueued: null, tasksPerDay: 100, monthlyBudgetUsd: 500 });
    const lifted = JSON.parse((await sy(['team', 'quota', 'backend', '--max-running', 'none', '-o', 'json'])).stdout) as TeamView;
    expect(lifted.quota.maxRunning).toBeNull();
    expect(lifted.quota.tasksPerDay).toBe(100);
    const shown = await sy(['team', 'quota', 'backend']);
    expect(shown.stdout).toMatch(/tasks-per-day\s+100/);
    const bad = await sy(['team', 'quota', 'backend', '--max-running', 'lots']);
    expect(bad.code).toBe(2);

    const usage = await sy(['team', 'usage', 'default']);
    expect(usage.code).toBe(0);
    expect(usage.stdout).toMatch(/^LIMIT\s+CURRENT\s+MAX\s+USED\n/);
    expect(usage.stdout).toMatch(/tasks today\s+\d+\s+unlimited\s+-/);
    expect(JSON.parse((await sy(['team', 'usage', 'default', '-o', 'json'])).stdout)).toMatchObject({ team: 'default' });
  });
});

describe('switchyard token', () => {
  it('creates a member token whose secret works once printed, lists it, and revokes it', async () => {
    const created = await sy(['token', 'create', 'alice', '--role', 'member', '--team', 'default', '-w', 'local', '--expires', '30d']);
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^syu_\S+$/);
    expect(created.stderr).toContain('shown only this once');

    const asAlice = await sy(['task', 'create', 'as alice'], { SWITCHYARD_TOKEN: secret });
    expect(asAlice.code).toBe(0);

    const list = JSON.parse((await sy(['token', 'list', '-o', 'json'])).stdout) as { tokens: TokenView[] };
    const alice = list.tokens.find((t) => t.name === 'alice')!;
    expect(alice).toMatchObject({ role: 'member', team: 'default', defaultWorkspace: 'local', revokedAt: null });
    expect(JSON.stringify(list)).not.toContain(secret);
    const table = await sy(['token', 'list']);
    expect(table.stdout).toMatch(new RegExp(`${alice.id}\\s+alice\\s+member\\s+default\\s+local\\s+\\S+…\\s+active`));

    const revoked = await sy(['token', 'revoke', alice.id]);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${alice.id}\n` });
    const refused = await sy(['task', 'list'], { SWITCHYARD_TOKEN: secret });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('refused SWITCHYARD_TOKEN');

    const noRole = await sy(['token', 'create', 'bob']);
    expect(noRole.code).toBe(2);
    expect(noRole.stderr).toContain('--role is required');
  });
});

describe('switchyard agent', () => {
  it('lists agents with status, slots and claude version', async () => {
    const r = await sy(['agent', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ID\s+WORKSPACE\s+HOST\s+STATUS\s+SLOTS\s+CLAUDE\s+VERSION\s+LAST SEEN\s+PROBLEMS\n/);
    expect(r.stdout).toMatch(/agt_\w+\s+local\s+pod-admin-test\s+online\s+\d\/4 free\s+claude-sim\s+0\.0\.0-test\s+/);
    const json = JSON.parse((await sy(['agent', 'list', '-o', 'json', '-w', 'local'])).stdout) as { agents: Array<{ hostname: string }> };
    expect(json.agents.map((a) => a.hostname)).toContain('pod-admin-test');
    expect(JSON.parse((await sy(['agent', 'list', '--offline', '-o', 'json'])).stdout)).toEqual({ agents: [] });
  });
});
