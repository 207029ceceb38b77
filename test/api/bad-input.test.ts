import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { useApi } from '../support/api.ts';

const ctx = useApi();

let taskId: string;

beforeAll(async () => {
  const res = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', prompt: 'existing', workdir: '/tmp' } });
  taskId = ((await res.json()) as { id: string }).id;
});

/** Every table a bad request could write to, counted. */
function rowCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of ['tasks', 'turns', 'teams', 'workspaces', 'tokens', 'output_lines', 'task_events']) {
    out[t] = (ctx.api.db.sqlite.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n;
  }
  return out;
}

/**
 * One request on its own connection: the API answers an oversized body at once and closes the
 * socket, which a pooled keep-alive connection would then trip over.
 */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${ctx.api.url}${path}`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

type Case = [name: string, method: string, path: () => string, body: string | undefined, statuses: number[]];

const big = (bytes: number) => 'x'.repeat(bytes);
const task = (extra: Record<string, unknown>) => JSON.stringify({ workspace: 'local', prompt: 'p', workdir: '/tmp', ...extra });

const CASES: Case[] = [
  ['malformed JSON', 'POST', () => '/v1/tasks', '{"prompt":', [400]],
  ['JSON array body', 'POST', () => '/v1/tasks', '[1,2]', [400]],
  ['empty body', 'POST', () => '/v1/tasks', '', [400]],
  ['missing prompt', 'POST', () => '/v1/tasks', JSON.stringify({ workspace: 'local' }), [400]],
  ['empty prompt', 'POST', () => '/v1/tasks', task({ prompt: '' }), [400]],
  ['prompt of wrong type', 'POST', () => '/v1/tasks', task({ prompt: 42 }), [400]],
  ['unknown field', 'POST', () => '/v1/tasks', task({ promt: 'typo' }), [400]],
  ['priority not an integer', 'POST', () => '/v1/tasks', task({ priority: 1.5 }), [400]],
  ['bad permission mode', 'POST', () => '/v1/tasks', task({ permissionMode: 'yolo' }), [400]],
  ['model with shell characters', 'POST', () => '/v1/tasks', task({ model: 'opus; rm -rf /' }), [400]],
  ['prompt over 100 KB', 'POST', () => '/v1/tasks', task({ prompt: big(100 * 1024 + 1) }), [413]],
  ['body over 1 MiB', 'POST', () => '/v1/tasks', task({ prompt: big(1024 * 1024 + 10) }), [413]],
  ['relative workdir', 'POST', () => '/v1/tasks', task({ workdir: 'tmp/x' }), [400]],
  ['workdir with ..', 'POST', () => '/v1/tasks', task({ workdir: '/tmp/../etc' }), [400]],
  ['workdir outside the roots', 'POST', () => '/v1/tasks', task({ workdir: '/etc' }), [400]],
  ['workdir with NUL', 'POST', () => '/v1/tasks', task({ workdir: '/tmp/a\u0000b' }), [400]],
  ['unknown workspace', 'POST', () => '/v1/tasks', task({ workspace: 'nope' }), [404]],
  ['workspace with bad characters', 'POST', () => '/v1/tasks', task({ workspace: '../etc' }), [400]],
  ['team without pool workspaces', 'POST', () => '/v1/tasks', JSON.stringify({ team: 'default', prompt: 'p' }), [400]],
  ['unknown task', 'GET', () => '/v1/tasks/tsk_doesnotexist00', undefined, [404]],
  ['task id too long', 'GET', () => `/v1/tasks/${big(200)}`, undefined, [400, 404]],
  ['bad status filter', 'GET', () => '/v1/tasks?status=bogus', undefined, [400]],
  ['bad limit', 'GET', () => '/v1/tasks?limit=-1', undefined, [400]],
  ['limit not a number', 'GET', () => '/v1/tasks?limit=abc', undefined, [400]],
  ['unknown query parameter', 'GET', () => '/v1/tasks?colour=red', undefined, [400]],
  ['bad cursor', 'GET', () => '/v1/tasks?cursor=%%%', undefined, [400]],
  ['bad tail', 'GET', () => `/v1/tasks/${taskId}/output?tail=0`, undefined, [400]],
  ['tail not a number', 'GET', () => `/v1/tasks/${taskId}/output?tail=ten`, undefined, [400]],
  ['bad after', 'GET', () => `/v1/tasks/${taskId}/events?after=-3`, undefined, [400]],
  ['message without prompt', 'POST', () => `/v1/tasks/${taskId}/messages`, '{}', [400]],
  ['message to unknown task', 'POST', () => '/v1/tasks/tsk_doesnotexist00/messages', '{"prompt":"x"}', [404]],
  ['message malformed', 'POST', () => `/v1/tasks/${taskId}/messages`, '{"prompt"', [400]],
  ['message prompt too large', 'POST', () => `/v1/tasks/${taskId}/messages`, JSON.stringify({ prompt: big(100 * 1024 + 1) }), [413]],
  ['kill unknown task', 'POST', () => '/v1/tasks/tsk_doesnotexist00/kill', undefined, [404]],
  ['team with a bad name', 'POST', () => '/v1/teams', JSON.stringify({ name: 'Bad Name!' }), [400]],
  ['team without name', 'POST', () => '/v1/teams', '{}', [400]],
  ['unknown team', 'GET', () => '/v1/teams/nope', undefined, [404]],
  ['workspace in unknown team', 'POST', () => '/v1/workspaces', JSON.stringify({ name: 'w1', team: 'nope' }), [404]],
  ['workspace with relative root', 'POST', () => '/v1/workspaces', JSON.stringify({ name: 'w2', team: 'default', workdirRoots: ['home'] }), [400]],
  ['workspace concurrency 0', 'POST', () => '/v1/workspaces', JSON.stringify({ name: 'w3', team: 'default', maxConcurrency: 0 }), [400]],
  ['duplicate workspace', 'POST', () => '/v1/workspaces', JSON.stringify({ name: 'local', team: 'default' }), [409]],
  ['unknown workspace', 'GET', () => '/v1/workspaces/nope', undefined, [404]],
  ['agent token for unknown workspace', 'POST', () => '/v1/workspaces/nope/agent-token', undefined, [404]],
  ['token with bad role', 'POST', () => '/v1/tokens', JSON.stringify({ name: 't', role: 'root' }), [400]],
  ['member token without team', 'POST', () => '/v1/tokens', JSON.stringify({ name: 't', role: 'member' }), [400]],
  ['token with bad expiry', 'POST', () => '/v1/tokens', JSON.stringify({ name: 't', role: 'admin', expiresAt: 'tomorrow' }), [400]],
  ['revoke unknown token', 'DELETE', () => '/v1/tokens/tok_nope', undefined, [404]],
  ['audit with bad cursor', 'GET', () => '/v1/audit?cursor=abc', undefined, [400]],
  ['unknown route', 'GET', () => '/v1/nothing-here', undefined, [404]],
  ['agent register with bad body', 'POST', () => '/agent/v1/register', '{"hostname":1}', [400]],
  ['agent sync malformed', 'POST', () => '/agent/v1/sync', '{', [400]],
  ['agent events with bad seq', 'POST', () => `/agent/v1/tasks/${taskId}/events`, JSON.stringify({ turn: 1, lines: [{ seq: 0, ts: 1, line: 'x' }] }), [400]],
  ['agent events for unknown task', 'POST', () => '/agent/v1/tasks/tsk_doesnotexist00/events', JSON.stringify({ turn: 1, lines: [{ seq: 1, ts: 1, line: 'x' }] }), [404]],
  ['agent finished with bad outcome', 'POST', () => `/agent/v1/tasks/${taskId}/finished`, JSON.stringify({ turn: 1, outcome: 'exploded' }), [400]],
  ['seed create malformed', 'POST', () => '/api/claude/tasks', '{', [400]],
  ['seed create without prompt', 'POST', () => '/api/claude/tasks', '{}', [400]],
  ['seed create with bad workdir', 'POST', () => '/api/claude/tasks', JSON.stringify({ prompt: 'p', workdir: '../x' }), [400]],
  ['seed unknown task', 'GET', () => '/api/claude/tasks/nope', undefined, [404]],
  ['seed message without prompt', 'POST', () => `/api/claude/tasks/${taskId}/message`, '{}', [400]],
];

describe('bad input never hurts', () => {
  it.each(CASES)('%s → %s', async (_name, method, path, body, statuses) => {
    const before = rowCounts();
    const agentToken = readFileSync(ctx.api.agentTokenFile, 'utf8').trim();
    const token = path().startsWith('/agent/') ? agentToken : ctx.api.adminToken;
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await send(method, path(), headers, body);
    const text = res.text;
    expect(statuses, `${res.status} ${text.slice(0, 300)}`).toContain(res.status);
    const parsed = JSON.parse(text) as { error: unknown };
    if (path().startsWith('/api/claude')) {
      expect(typeof parsed.error).toBe('string');
    } else {
      expect(parsed.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect(rowCounts()).toEqual(before);
  });

  it('answers 401 with the error shape on every route without a token', async () => {
    for (const [, method, path] of CASES) {
      if (path() === '/v1/nothing-here') continue;
      const res = await send(method, path(), {});
      expect(res.status, `${method} ${path()}`).toBe(401);
    }
  });
});
