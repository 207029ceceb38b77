import { describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { HandAgent } from '../support/hand-agent.ts';

// Issue #10, items 2, 5, 7 and 10 (API side): hostile strings, the permission ceiling, who may
// change which workspace field, and bounded free-form fields.

const ctx = useApi();

type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

async function send(path: string, init: { method?: string; json?: unknown; token?: string } = {}): Promise<{ status: number; body: any }> {
  const res = await ctx.api.call(path, { method: init.method ?? 'POST', json: init.json, token: init.token });
  return { status: res.status, body: await res.json() };
}

const task = (extra: Record<string, unknown>) => ({ workspace: 'local', prompt: 'p', workdir: '/tmp', ...extra });

/** The field a 400 names: its first issue's path, or `details.field`. */
const fieldOf = (body: ErrorBody): unknown =>
  body.error.details?.field ?? (body.error.details?.issues as { path: string }[] | undefined)?.[0]?.path;

describe('hostile strings are refused with 400 naming the field', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['NUL in the prompt', { prompt: 'hi\0there' }, 'prompt'],
    ['NUL in appendSystemPrompt', { appendSystemPrompt: 'be\0nice' }, 'appendSystemPrompt'],
    ['NUL in a tool rule', { allowedTools: ['Read\0'] }, 'allowedTools.0'],
    ['a flag as a tool rule', { allowedTools: ['--permission-mode'] }, 'allowedTools.0'],
    ['a flag as a disallowed rule', { disallowedTools: ['Read', '--mcp-config'] }, 'disallowedTools.1'],
    ['two rules in one', { allowedTools: ['Read Write'] }, 'allowedTools.0'],
    ['a nested rule claude splits into Bash', { allowedTools: ['Read(a(b),Bash,c)'] }, 'allowedTools.0'],
    ['newline in the workdir', { workdir: '/tmp/a\nb' }, 'workdir'],
    ['DEL in the workdir', { workdir: '/tmp/a\u007f' }, 'workdir'],
    ['NUL in a label value', { labels: { team: 'a\0b' } }, 'labels.team'],
    ['C1 control in a label key', { labels: { 'a\u0085': 'b' } }, 'labels'],
  ];
  for (const [name, extra, field] of cases) {
    it(name, async () => {
      const before = ctx.api.db.sqlite.prepare('select count(*) as n from tasks').get();
      const { status, body } = await send('/v1/tasks', { json: task(extra) });
      expect(status, JSON.stringify(body)).toBe(400);
      expect(String(fieldOf(body))).toContain(field);
      expect(ctx.api.db.sqlite.prepare('select count(*) as n from tasks').get()).toEqual(before);
    });
  }

  it('accepts pasted text in a prompt: tabs, newlines, terminal escapes, bells and non-ASCII', async () => {
    const { status } = await send('/v1/tasks', { json: task({ prompt: 'line one\n\tline two\r\n\u001b[31mred\u001b[0m\u0007 — 日本語 🙂' }) });
    expect(status).toBe(201);
  });

  it('refuses NUL in a follow-up, in a token name and in the seed API', async () => {
    const t = (await send('/v1/tasks', { json: task({}) })).body as TaskView;
    await send(`/v1/tasks/${t.id}/kill`);
    const follow = await send(`/v1/tasks/${t.id}/messages`, { json: { prompt: 'again\0' } });
    expect([follow.status, fieldOf(follow.body)]).toEqual([400, 'prompt']);
    const tok = await send('/v1/tokens', { json: { name: 'a\0b', role: 'viewer' } });
    expect([tok.status, fieldOf(tok.body)]).toEqual([400, 'name']);
    const seed = await send('/api/claude/tasks', { json: { prompt: 'x\0y' } });
    expect(seed.status).toBe(400);
  });

  it('bounds labels in count and bytes', async () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    expect((await send('/v1/tasks', { json: task({ labels: many }) })).status).toBe(400);
    // 100 three-byte characters: 100 JS characters, 300 bytes.
    expect((await send('/v1/tasks', { json: task({ labels: { k: '日'.repeat(100) } }) })).status).toBe(400);
  });
});

describe('the permission ceiling', () => {
  it('defaults to every mode but bypassPermissions and every built-in tool', async () => {
    const ws = (await send('/v1/workspaces/local', { method: 'GET' })).body;
    expect(ws.permissionModes).toEqual(['plan', 'dontAsk', 'default', 'manual', 'acceptEdits', 'auto']);
    expect(ws.defaultPermissionMode).toBe('default');
    expect(ws.allowedTools).toContain('Bash');
    const denied = await send('/v1/tasks', { json: task({ permissionMode: 'bypassPermissions' }) });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 'forbidden', details: { field: 'permissionMode', allowed: ws.permissionModes } });
    const ok = await send('/v1/tasks', { json: task({ allowedTools: ['Bash(git log:*)', 'Read'] }) });
    expect(ok.status).toBe(201);
    expect((ok.body as TaskView).options.permissionMode).toBe('default');
  });

  it('lets a task only narrow what the admin set, at create and at follow-up', async () => {
    await send('/v1/teams', { json: { name: 'perm' } });
    const created = await send('/v1/workspaces', {
      json: { name: 'perm-1', team: 'perm', workdirRoots: ['/tmp'], permissionModes: ['plan', 'acceptEdits'], defaultPermissionMode: 'plan', allowedTools: ['Read', 'Bash(git log:*)'], disallowedTools: ['WebFetch'], models: ['sonnet'] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const mode = await send('/v1/tasks', { json: task({ workspace: 'perm-1', permissionMode: 'default' }) });
    expect([mode.status, mode.body.error.details.allowed]).toEqual([403, ['plan', 'acceptEdits']]);
    const rule = await send('/v1/tasks', { json: task({ workspace: 'perm-1', allowedTools: ['Read(src/**)', 'Bash(rm:*)'] }) });
    expect(rule.status).toBe(403);
    expect(rule.body.error.details).toMatchObject({ field: 'allowedTools', rule: 'Bash(rm:*)' });
    expect(rule.body.error.message).toContain('Bash(rm:*)');
    const model = await send('/v1/tasks', { json: task({ workspace: 'perm-1', model: 'opus' }) });
    expect([model.status, model.body.error.details.field]).toEqual([403, 'model']);
    const ok = await send('/v1/tasks', { json: task({ workspace: 'perm-1', model: 'sonnet', allowedTools: ['Read(src/**)', 'Bash(git log:*)'] }) });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect((ok.body as TaskView).options.permissionMode).toBe('plan');
    // The admin narrows the ceiling: the next turn of that task is refused.
    await send(`/v1/tasks/${ok.body.id}/kill`);
    expect((await send('/v1/workspaces/perm-1', { method: 'PATCH', json: { allowedTools: ['Read'] } })).status).toBe(200);
    const follow = await send(`/v1/tasks/${ok.body.id}/messages`, { json: { prompt: 'more' } });
    expect([follow.status, follow.body.error?.details?.rule]).toEqual([403, 'Bash(git log:*)']);
  });

  it('sends the ceiling and the admin-only options in each lease, for the agent to check and pass', async () => {
    await send('/v1/teams', { json: { name: 'lease' } });
    const ws = { workdirRoots: ['/tmp'], permissionModes: ['plan', 'acceptEdits'], defaultPermissionMode: 'acceptEdits', allowedTools: ['Read'], disallowedTools: ['WebFetch'], addDirs: ['/tmp/shared'], mcpConfig: { mcpServers: {} }, settings: { hooks: {} }, systemPrompt: 'You are careful.', pool: true };
    expect((await send('/v1/workspaces', { json: { name: 'lease-1', team: 'lease', ...ws } })).status).toBe(201);
    const tok = (await send('/v1/workspaces/lease-1/agent-token')).body.token as string;
    const agent = await new HandAgent(ctx.api, tok).register();
    // A team task names no mode: the workspace that leases it applies its default.
    const t = (await send('/v1/tasks', { json: { team: 'lease', prompt: 'p', workdir: '/tmp', disallowedTools: ['Bash'] } })).body as TaskView;
    const lease = await agent.lease(t.id);
    expect(lease.options).toMatchObject({ permissionMode: 'acceptEdits', disallowedTools: ['Bash'] });
    expect(lease.ceiling).toEqual({ permissionModes: ['plan', 'acceptEdits'], allowedTools: ['Read'], disallowedTools: ['WebFetch'] });
    expect(lease.workspaceOptions).toEqual({ addDirs: ['/tmp/shared'], mcpConfig: { mcpServers: {} }, settings: { hooks: {} }, systemPrompt: 'You are careful.' });
    await agent.finish(t.id);
  });

  it('refuses a ceiling that contradicts itself or leaves the roots', async () => {
    const bad = [
      { defaultPermissionMode: 'acceptEdits', permissionModes: ['plan'] },
      { addDirs: ['/etc'] },
      { addDirs: ['/tmp/../etc'] },
      { allowedTools: ['-Read'] },
    ];
    for (const patch of bad) {
      const res = await send('/v1/workspaces/local', { method: 'PATCH', json: patch });
      expect(res.status, JSON.stringify(patch)).toBe(400);
    }
  });
});

describe('field-level authorization of workspaces', () => {
  it('lets a member change only labels and pause of its team\'s workspace', async () => {
    await send('/v1/teams', { json: { name: 'fl' } });
    await send('/v1/workspaces', { json: { name: 'fl-1', team: 'fl', workdirRoots: ['/tmp'] } });
    const member = (await send('/v1/tokens', { json: { name: 'fl-dev', role: 'member', team: 'fl' } })).body.token as string;
    for (const patch of [{ workdirRoots: ['/'] }, { maxConcurrency: 50 }, { pool: true }, { rateLimitScope: 'team' }, { permissionModes: ['bypassPermissions'] }, { allowedTools: ['Bash'] }, { settings: { hooks: {} } }, { labels: { a: 'b' }, workdirRoots: ['/'] }]) {
      const res = await send('/v1/workspaces/fl-1', { method: 'PATCH', json: patch, token: member });
      expect(res.status, JSON.stringify(patch)).toBe(403);
      expect(res.body.error.details.fields.length).toBeGreaterThan(0);
    }
    const ws = (await send('/v1/workspaces/fl-1', { method: 'GET' })).body;
    expect(ws).toMatchObject({ workdirRoots: ['/tmp'], maxConcurrency: 1, pool: false });
    const ok = await send('/v1/workspaces/fl-1', { method: 'PATCH', json: { labels: { owner: 'fl' }, paused: true }, token: member });
    expect([ok.status, ok.body.labels, ok.body.paused]).toEqual([200, { owner: 'fl' }, true]);
  });

  it("shows the admin documents, which can hold credentials, to admins only", async () => {
    await send('/v1/teams', { json: { name: 'docs' } });
    const docs = { mcpConfig: { mcpServers: { gh: { command: 'gh-mcp', env: { GH_TOKEN: 'ghp_secret_value' } } } }, settings: { env: { API_KEY: 'sk-secret-value' } }, systemPrompt: 'secret house rules' };
    await send('/v1/workspaces', { json: { name: 'docs-1', team: 'docs', workdirRoots: ['/tmp'] } });
    expect((await send('/v1/workspaces/docs-1', { method: 'PATCH', json: docs })).status).toBe(200);
    const member = (await send('/v1/tokens', { json: { name: 'docs-dev', role: 'member', team: 'docs' } })).body.token as string;
    const viewer = (await send('/v1/tokens', { json: { name: 'docs-ro', role: 'viewer', team: 'docs' } })).body.token as string;
    for (const token of [member, viewer]) {
      for (const path of ['/v1/workspaces/docs-1', '/v1/workspaces']) {
        const body = JSON.stringify((await send(path, { method: 'GET', token })).body);
        expect(body, path).not.toMatch(/secret/);
        expect(body, path).toContain('shown to admins only');
      }
    }
    expect((await send('/v1/workspaces/docs-1', { method: 'GET' })).body).toMatchObject(docs);
  });
});

