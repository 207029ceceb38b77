import { describe, expect, it } from 'vitest';
import { MAX_OUTPUT_LINE_BYTES, type TaskView } from '@switchyard/core';
import { insertToken } from '@switchyard/db';
import { useHarness } from '../test-support.ts';
import { AuthThrottle } from './auth-throttle.ts';
import { parseTrustedProxies } from './client-address.ts';

const ctx = useHarness(); // a 64 KiB body limit

const post = (path: string, token: string, json: unknown) =>
  ctx.h.app.request(path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(json) });

describe('body limits', () => {
  it("takes one line at the per-line limit on the agent's events route, whatever the global limit", async () => {
    const agent = insertToken(ctx.h.db.db, { kind: 'agent', name: 'a', role: 'agent', teamId: ctx.h.team.id, workspaceId: ctx.h.workspace.id }).secret;
    const task = (await (await post('/v1/tasks', ctx.h.adminSecret, { workspace: 'w', prompt: 'p', workdir: '/tmp' })).json()) as TaskView;
    // Every byte a control character: JSON escapes each to six bytes, the worst case.
    const line = '\u0001'.repeat(MAX_OUTPUT_LINE_BYTES);
    const res = await post(`/agent/v1/tasks/${task.id}/events`, agent, { turn: 1, lines: [{ seq: 1, ts: Date.now(), line }] });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ ackSeq: 1 });
    const over = await post(`/agent/v1/tasks/${task.id}/events`, agent, { turn: 1, lines: [{ seq: 2, ts: 1, line: `${line}x` }] });
    expect(over.status).toBe(413);
    // Everywhere else the global limit holds.
    expect((await post('/v1/tasks', ctx.h.adminSecret, { workspace: 'w', prompt: 'x'.repeat(70 * 1024), workdir: '/tmp' })).status).toBe(413);
  });
});

describe('AuthThrottle', () => {
  it('refuses an address past its failures for the rest of the minute, then lets it try again', () => {
    let now = 0;
    const t = new AuthThrottle(3, () => now);
    for (let i = 0; i < 3; i++) {
      t.check('1.2.3.4');
      t.fail('1.2.3.4');
      now += 1000;
    }
    expect(() => t.check('1.2.3.4')).toThrow(expect.objectContaining({ status: 429, details: expect.objectContaining({ retryAfterSec: 57 }) }));
    t.check('5.6.7.8');
    now = 60_001;
    t.check('1.2.3.4');
  });
});

describe('trusted proxies', () => {
  it('parses IPs and CIDR ranges and refuses anything else', () => {
    const list = parseTrustedProxies('10.0.0.0/8, 192.168.1.1 ::1');
    expect(list.check('10.2.3.4', 'ipv4')).toBe(true);
    expect(list.check('192.168.1.2', 'ipv4')).toBe(false);
    expect(list.check('::1', 'ipv6')).toBe(true);
    expect(() => parseTrustedProxies('proxy.local')).toThrow();
  });
});
