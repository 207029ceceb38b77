import { statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';

// Issue #10, items 1 and 10 (API side): a 413 leaves the connection usable, live streams are
// capped per token, failed authentication is throttled per address, viewers cannot write
// through /api/claude, and the database files are the owner's only.

const ctx = useApi();

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function send(agent: Agent, path: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${ctx.api.url}${path}`, { method: init.method ?? 'GET', headers: init.headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const auth = (token = ctx.api.adminToken) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

describe('limits', () => {
  it('answers a body over the limit with 413 and leaves the keep-alive connection usable', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = JSON.stringify({ workspace: 'local', workdir: '/tmp', prompt: 'x'.repeat(2 * 1024 * 1024) });
      const first = await send(agent, '/v1/tasks', { method: 'POST', headers: auth(), body: big });
      expect(first.status).toBe(413);
      // The next request on the same pooled connection must be answered, not reset.
      const second = await send(agent, '/v1/workspaces/local', { headers: auth() });
      expect(second.status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('caps live streams per token with 429 and Retry-After, and frees a slot when one closes', async () => {
    const member = (await (await ctx.api.call('/v1/tokens', { method: 'POST', json: { name: 'streamer', role: 'admin' } })).json()) as { token: string };
    const t = (await (await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', prompt: 'p', workdir: '/tmp' } })).json()) as TaskView;
    const open: AbortController[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const ac = new AbortController();
        const path = i % 2 ? '/v1/events' : `/v1/tasks/${t.id}/events`;
        const res = await ctx.api.call(path, { token: member.token, headers: { accept: 'text/event-stream' }, signal: ac.signal });
        expect(res.status).toBe(200);
        open.push(ac);
      }
      const over = await ctx.api.call('/v1/events', { token: member.token, headers: { accept: 'text/event-stream' } });
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another token is not affected.
      const other = new AbortController();
      expect((await ctx.api.call('/v1/events', { headers: { accept: 'text/event-stream' }, signal: other.signal })).status).toBe(200);
      other.abort();
      open.pop()!.abort();
      await expect.poll(async () => {
        const ac = new AbortController();
        const res = await ctx.api.call('/v1/events', { token: member.token, headers: { accept: 'text/event-stream' }, signal: ac.signal });
        if (res.status === 200) open.push(ac);
        return res.status;
      }, { timeout: 5_000 }).toBe(200);
    } finally {
      for (const ac of open) ac.abort();
    }
  });

  it('answers a viewer writing through /api/claude with 403', async () => {
    const viewer = (await (await ctx.api.call('/v1/tokens', { method: 'POST', json: { name: 'seed-viewer', role: 'viewer', team: 'default', defaultWorkspace: 'local' } })).json()) as { token: string };
    const created = await ctx.api.call('/api/claude/tasks', { method: 'POST', token: viewer.token, json: { prompt: 'hi' } });
    expect(created.status).toBe(403);
    const t = (await (await ctx.api.call('/api/claude/tasks', { method: 'POST', json: { prompt: 'hi' } })).json()) as { task_id: string };
    for (const [method, path, json] of [['POST', `/api/claude/tasks/${t.task_id}/message`, { prompt: 'more' }], ['DELETE', `/api/claude/tasks/${t.task_id}`, undefined], ['POST', `/api/claude/tasks/${t.task_id}/prepare-terminal`, undefined]] as const) {
      const res = await ctx.api.call(path, { method, token: viewer.token, json });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(typeof ((await res.json()) as { error: unknown }).error).toBe('string');
    }
  });

  it('keeps the database files to their owner', () => {
    for (const suffix of ['', '-wal', '-shm']) {
      const file = join(ctx.api.dataDir, `switchyard.db${suffix}`);
      expect((statSync(file).mode & 0o777).toString(8), file).toBe('600');
    }
  });

  // Last: it leaves this address throttled.
  it('throttles failed authentication per client address, whatever X-Forwarded-For says', async () => {
    const agent = new Agent({ keepAlive: false });
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await send(agent, '/v1/me', { headers: { authorization: `Bearer syu_wrong${i}`, 'x-forwarded-for': `10.0.0.${i}` } });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    // While throttled, even a good token from this address waits: guesses learn nothing.
    expect((await send(agent, '/v1/me', { headers: auth() })).status).toBe(429);
  });
});
