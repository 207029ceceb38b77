import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  QuotaSchema,
  TeamCreateSchema,
  TokenCreateSchema,
  WorkspaceCreateSchema,
  WorkspacePatchSchema,
  type AgentView,
  type TeamView,
  type TokenView,
  type WorkspaceView,
} from '@switchyard/core';
import { GROUPS, TOP_COMMANDS } from './commands/index.ts';
import { fakeIo } from './fake-io.ts';
import { resolveCommand, run } from './run.ts';

describe('the command tree', () => {
  const all = [...GROUPS.flatMap((g) => g.commands.map((c) => [`${g.name} ${c.name}`, c] as const)), ...TOP_COMMANDS.map((c) => [c.name, c] as const)];

  it('gives every verb a summary, flag help and examples that use it', async () => {
    for (const [path, cmd] of all) {
      expect(cmd.summary, path).not.toBe('');
      expect(cmd.examples.length, path).toBeGreaterThan(0);
      for (const [what, line] of cmd.examples) {
        expect(what, path).not.toBe('');
        expect(line, path).toContain(`switchyard ${path}`);
      }
      for (const [flag, spec] of Object.entries(cmd.options ?? {})) expect(spec.help, `${path} --${flag}`).not.toBe('');
      const f = fakeIo();
      expect(await run([...path.split(' '), '--help'], f.io), path).toBe(0);
      expect(f.stdout()).toContain(`switchyard ${path}`);
      expect(f.stdout()).toContain('Examples:');
      if (cmd.output) expect(f.stdout(), path).toContain('-o, --output FORMAT');
    }
  });

  it('offers -o on every read verb', () => {
    const reads = ['task list', 'task show', 'workspace list', 'workspace show', 'team list', 'team quota', 'team usage', 'token list', 'agent list', 'whoami'];
    for (const path of reads) expect(all.find(([p]) => p === path)?.[1].output, path).toBe(true);
  });

  it('resolves aliases and plurals, and suggests the nearest verb', () => {
    const path = (argv: string[]) => {
      const r = resolveCommand(argv);
      return r.kind === 'command' ? r.path : r.kind;
    };
    expect(path(['tasks', 'ls'])).toBe('task list');
    expect(path(['ws', 'get', 'x'])).toBe('workspace show');
    expect(path(['token', 'rm', 'x'])).toBe('token revoke');
    expect(path(['help', 'task', 'logs'])).toBe('task logs');
    expect(path(['team'])).toBe('group');
    expect(() => resolveCommand(['wrokspace'])).toThrow("unknown command 'wrokspace'; did you mean 'workspace'?");
  });
});

// A stand-in for fleet routes, answering with views that satisfy the core schemas and checking
// every request body against the core schema the real route will use.

const NOW = Date.parse('2026-01-01T12:00:00Z');
const iso = new Date(NOW - 3_600_000).toISOString();
const team: TeamView = { id: 'team_1', name: 'backend', quota: { maxRunning: 2, maxQueued: null, tasksPerDay: 50, monthlyBudgetUsd: null }, createdAt: iso };
const agent: AgentView = {
  id: 'agt_1', workspace: 'dev', hostname: 'pod-dev', agentVersion: '0.1.0', claudeVersion: '2.0.1 (Claude Code)', claudeVersionTested: false, tmuxVersion: '3.4',
  simulated: false, slots: 2, freeSlots: 1, problems: [], online: true, lastSeenAt: iso, registeredAt: iso,
};
const ws: WorkspaceView = {
  id: 'ws_1', name: 'dev', team: 'backend', maxConcurrency: 1, paused: false, pool: false, rateLimitScope: 'workspace',
  labels: { keep: 'x', old: 'y' }, workdirRoots: ['/src'], rateLimitedUntil: null, ready: true, problems: [], agent,
  running: 1, queued: 0, createdAt: iso,
  permissionModes: ['plan', 'default'], defaultPermissionMode: 'default', allowedTools: ['Read'], disallowedTools: [],
  addDirs: [], mcpConfig: null, settings: null, systemPrompt: null, models: [],
};
const token: TokenView = {
  id: 'tok_1', kind: 'user', name: 'alice', role: 'member', team: 'backend', workspace: null, defaultWorkspace: 'dev',
  prefix: 'syu_abcd', createdAt: iso, lastUsedAt: null, expiresAt: null, revokedAt: null,
};

let server: Server;
let url: string;
const seen: Array<{ method: string; path: string; body: unknown }> = [];

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let text = '';
    for await (const c of req) text += c;
    const body = text ? JSON.parse(text) : undefined;
    const path = req.url!;
    seen.push({ method: req.method!, path, body });
    const send = (status: number, value?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(value === undefined ? '' : JSON.stringify(value));
    };
    const check = (schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }) => {
      const r = schema.safeParse(body);
      if (!r.success) send(400, { error: { code: 'invalid_request', message: JSON.stringify(r.error) } });
      return r.success;
    };
    const route = `${req.method} ${path}`;
    if (route === 'GET /v1/teams') return send(200, { teams: [team] });
    if (route === 'POST /v1/teams') return check(TeamCreateSchema) && send(201, { ...team, name: body.name });
    if (route === 'PUT /v1/teams/team_1/quota') return check(QuotaSchema) && send(200, { ...team, quota: body });
    if (route === 'GET /v1/teams/backend/usage') {
      return send(200, { team: 'backend', running: { current: 1, limit: 2 }, queued: { current: 0, limit: null }, tasksToday: { current: 10, limit: 50 }, monthSpendUsd: { current: 12.5, limit: null }, rateLimitedUntil: null });
    }
    if (route === 'GET /v1/workspaces/dev') return send(200, ws);
    if (route === 'PATCH /v1/workspaces/dev') return check(WorkspacePatchSchema) && send(200, { ...ws, ...body });
    if (route === 'POST /v1/workspaces') return check(WorkspaceCreateSchema) && send(201, { ...ws, ...body });
    if (route === 'POST /v1/workspaces/dev/agent-token') return send(201, { ...token, kind: 'agent', role: 'agent', workspace: 'dev', token: 'sya_secret' });
    if (route === 'POST /v1/tokens') return check(TokenCreateSchema) && send(201, { ...token, token: 'syu_secret' });
    if (route === 'DELETE /v1/tokens/tok_1') return send(204);
    if (route === 'GET /v1/agents') return send(200, { agents: [agent, { ...agent, id: 'agt_2', workspace: 'other', online: false }] });
    return send(404, { error: { code: 'not_found', message: `no route ${route}` } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

async function sy(...argv: string[]) {
  const f = fakeIo({ env: { HOME: mkdtempSync(join(tmpdir(), 'sy-run-')), SWITCHYARD_URL: url, SWITCHYARD_TOKEN: 'syu_test' }, now: NOW });
  const code = await run(argv, f.io);
  return { code, stdout: f.stdout(), stderr: f.stderr() };
}
const last = () => seen.at(-1)!;

describe('fleet verbs send the shapes the API takes', () => {
  it('team quota changes only the limits it names, by team id', async () => {
    const r = await sy('team', 'quota', 'backend', '--max-running', '4', '--monthly-budget', '250.5', '--tasks-per-day', 'none');
    expect(r.code).toBe(0);
    expect(last()).toEqual({ method: 'PUT', path: '/v1/teams/team_1/quota', body: { maxRunning: 4, maxQueued: null, tasksPerDay: null, monthlyBudgetUsd: 250.5 } });
    expect(r.stdout).toMatch(/max-running\s+4\n/);
    expect(r.stdout).toMatch(/monthly-budget\s+\$250\.50\n/);
    const show = await sy('team', 'quota', 'backend');
    expect(seen.at(-1)!.method).toBe('GET');
    expect(show.stdout).toMatch(/tasks-per-day\s+50\n/);
  });

  it('team usage shows current against limit', async () => {
    const r = await sy('team', 'usage', 'backend');
    expect(r.stdout).toBe([
      'LIMIT              CURRENT         MAX   USED',
      'running                  1           2    50%',
      'queued                   0   unlimited      -',
      'tasks today             10          50    20%',
      'spend this month    $12.50   unlimited      -',
      '',
    ].join('\n'));
  });

  it('workspace set merges label edits into the current labels', async () => {
    const r = await sy('workspace', 'set', 'dev', '--paused', '--no-pool', '-l', 'gpu=yes', '-l', 'old-', '--workdir-root', '/src', '--workdir-root', '/data');
    expect(r.code).toBe(0);
    expect(last()).toEqual({ method: 'PATCH', path: '/v1/workspaces/dev', body: { paused: true, pool: false, workdirRoots: ['/src', '/data'], labels: { keep: 'x', gpu: 'yes' } } });
    expect(r.stdout).toBe('updated workspace dev: paused=true pool=false workdirRoots=/src:/data labels=keep=x,gpu=yes\n');
    expect((await sy('workspace', 'set', 'dev', '--workdir-root', 'relative')).code).toBe(2);
  });

  it('workspace create sends name, team and settings', async () => {
    const r = await sy('workspace', 'create', 'dev2', '-t', 'backend', '--pool', '--max-concurrency', '2', '--rate-limit-scope', 'team', '-l', 'a=b');
    expect(r.code).toBe(0);
    expect(last().body).toEqual({ name: 'dev2', team: 'backend', pool: true, maxConcurrency: 2, rateLimitScope: 'team', labels: { a: 'b' } });
    const noTeam = await sy('workspace', 'create', 'dev3');
    expect(noTeam.code).toBe(2);
    expect(noTeam.stderr).toContain('--team is required');
  });

  it('workspace show and token print the workspace and only the secret', async () => {
    const show = await sy('workspace', 'show', 'dev');
    expect(show.stdout).toMatch(/Agent:\s+pod-dev \(online, last seen 1h ago\)\n/);
    expect(show.stdout).toMatch(/Agent version:\s+0\.1\.0; claude 2\.0\.1 \(Claude Code\); tmux 3\.4\n/);
    const tok = await sy('workspace', 'token', 'dev');
    expect(tok.stdout).toBe('sya_secret\n');
  });

  it('token create computes the expiry, and revoke takes a 204', async () => {
    const r = await sy('token', 'create', 'alice', '-r', 'member', '-t', 'backend', '-w', 'dev', '--expires', '30d');
    expect(r).toMatchObject({ code: 0, stdout: 'syu_secret\n' });
    expect(last().body).toEqual({ name: 'alice', role: 'member', team: 'backend', defaultWorkspace: 'dev', expiresAt: new Date(NOW + 30 * 86_400_000).toISOString() });
    const when = await sy('token', 'create', 'ci', '-r', 'viewer', '--expires', '2026-06-01');
    expect(last().body).toMatchObject({ expiresAt: '2026-06-01T00:00:00.000Z' });
    expect(when.code).toBe(0);
    expect((await sy('token', 'create', 'x', '-r', 'owner')).stderr).toContain('--role must be one of admin, member, viewer');
    const rev = await sy('token', 'revoke', 'tok_1');
    expect(rev).toMatchObject({ code: 0, stdout: 'revoked tok_1\n' });
  });

  it('agent list filters by workspace and by offline', async () => {
    const r = await sy('agent', 'list', '-w', 'dev');
    expect(r.stdout).toMatch(/^ID\s+WORKSPACE\s+HOST\s+STATUS\s+SLOTS\s+CLAUDE\s+VERSION\s+LAST SEEN\s+PROBLEMS\nagt_1\s+dev\s+pod-dev\s+online\s+1\/2 free\s+2\.0\.1 \(Claude Code\)\s+0\.1\.0\s+1h ago\s+-\n$/);
    const off = await sy('agent', 'list', '--offline', '-o', 'json');
    expect(JSON.parse(off.stdout).agents.map((a: AgentView) => a.id)).toEqual(['agt_2']);
  });
});
