import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient } from '@switchyard/client';
import { useApi } from '../support/api.ts';
import { buildDashboardOnce } from '../browser/browser.ts';
import { expectBuiltDashboard } from '../support/dashboard-page.ts';

// The /v1 endpoints the dashboard reads (search, chart series), through packages/client, and the
// dashboard's page served at `/`.
const ctx = useApi();

// vitest's global setup builds the Node bundles, not the dashboard: build it (when stale) so `/`
// serves the app, never the page that says it is not built.
beforeAll(() => buildDashboardOnce(), 180_000);

const admin = () => createClient({ url: ctx.api.url, token: ctx.api.adminToken });

async function userToken(body: Record<string, unknown>): Promise<string> {
  const res = await ctx.api.call('/v1/tokens', { method: 'POST', json: body });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

describe('dashboard endpoints', () => {
  it('searches prompts through the index, scoped to the token’s team, with filters and a cursor', async () => {
    const c = admin();
    await c.teams.create('green');
    await c.workspaces.create({ name: 'green-1', team: 'green', workdirRoots: ['/tmp'] });
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push((await c.tasks.create({ workspace: 'local', workdir: '/tmp', prompt: `rotate the zebra keys ${i}` })).task);
    const theirs = (await c.tasks.create({ workspace: 'green-1', workdir: '/tmp', prompt: 'rotate the zebra keys for green' })).task;

    const all = await c.search.tasks({ q: 'zebra rot' });
    expect(all.tasks.map((t) => t.id)).toEqual([theirs.id, ...mine.map((t) => t.id).reverse()]);
    const page1 = await c.search.tasks({ q: 'zebra', limit: 2 });
    const page2 = await c.search.tasks({ q: 'zebra', limit: 2, cursor: page1.nextCursor! });
    expect([...page1.tasks, ...page2.tasks].map((t) => t.id)).toEqual(all.tasks.map((t) => t.id));
    expect(page2.nextCursor).toBeNull();
    // An empty cursor is no cursor, as in the listing.
    expect((await ctx.api.call('/v1/search/tasks?q=zebra&cursor=')).status).toBe(200);
    // A listing's cursor, or a made-up one, is not a search's: a 400 naming the field.
    const listCursor = (await c.tasks.list({ limit: 1 })).nextCursor!;
    for (const cursor of [listCursor, 'bm90LWEtY3Vyc29y', Buffer.from('search:-1').toString('base64url')]) {
      await expect(c.search.tasks({ q: 'zebra', cursor })).rejects.toMatchObject({ status: 400, code: 'invalid_request' });
    }
    expect((await c.search.tasks({ q: 'zebra', workspace: 'green-1' })).tasks.map((t) => t.id)).toEqual([theirs.id]);
    expect((await c.search.tasks({ q: 'zebra', status: 'completed' })).tasks).toEqual([]);
    expect((await c.search.tasks({ q: '"zebra" (keys*' })).tasks.length).toBe(4);

    const member = createClient({ url: ctx.api.url, token: await userToken({ name: 'm', role: 'member', team: 'default' }) });
    expect((await member.search.tasks({ q: 'zebra' })).tasks.map((t) => t.team)).toEqual(['default', 'default', 'default']);
    await expect(member.search.tasks({ q: 'zebra', team: 'green' })).rejects.toMatchObject({ status: 404 });
    await expect(c.search.tasks({ q: 'zebra', status: 'bogus' })).rejects.toMatchObject({ status: 400 });
    const empty = await ctx.api.call('/v1/search/tasks');
    expect(empty.status).toBe(400);
  });

  it('serves tasks and spend per team per day, and load samples per workspace', async () => {
    const c = admin();
    const daily = await c.stats.teams({ days: 7 });
    expect(daily.days).toHaveLength(7);
    expect(daily.days.at(-1)).toBe(new Date().toISOString().slice(0, 10));
    const def = daily.teams.find((t) => t.team === 'default')!;
    expect(def.days.at(-1)!.tasks).toBeGreaterThanOrEqual(3);
    const green = await c.stats.teams({ days: 1, team: 'green' });
    expect(green.teams).toEqual([{ team: 'green', days: [{ day: daily.days.at(-1), tasks: 1, costUsd: 0 }] }]);

    const load = await c.stats.workspaces({ minutes: 60 });
    expect(load.intervalSec).toBe(60);
    const local = load.workspaces.find((w) => w.workspace === 'local')!;
    expect(local.team).toBe('default');
    // The first change of the run was sampled at once; later ones wait for the minute to pass.
    expect(local.samples.length).toBeGreaterThanOrEqual(1);
    const one = await c.stats.workspaces({ workspace: 'green-1' });
    expect(one.workspaces.map((w) => w.workspace)).toEqual(['green-1']);

    const member = createClient({ url: ctx.api.url, token: await userToken({ name: 'm2', role: 'viewer', team: 'default' }) });
    expect((await member.stats.teams()).teams.map((t) => t.team)).toEqual(['default']);
    expect((await member.stats.workspaces()).workspaces.map((w) => w.workspace)).toEqual(['local']);
    const hidden = await member.stats.workspaces({ workspace: 'green-1' }).catch((e: unknown) => e);
    expect(hidden).toBeInstanceOf(ApiError);
    expect((hidden as ApiError).status).toBe(404);
  });

  it('reads the audit log and the fleet event stream through the client', async () => {
    const c = admin();
    const audit = await c.audit.list({ limit: 5 });
    expect(audit.entries.length).toBeGreaterThan(0);
    const ctrl = new AbortController();
    const seen: string[] = [];
    const events = (async () => {
      for await (const e of c.fleetEvents({ signal: ctrl.signal })) {
        seen.push(e.type);
        if (e.type === 'ready') await c.tasks.create({ workspace: 'local', workdir: '/tmp', prompt: 'an event' });
        if (e.type === 'task') ctrl.abort();
      }
    })();
    await events;
    expect(seen).toEqual(['ready', 'task']);
  });

  it('documents the new routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${ctx.api.url}/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/search/tasks', '/stats/workspaces', '/stats/teams']));
  });

  it('serves the dashboard page at / and its routes, and keeps JSON 404s for the API', async () => {
    const { html, headers } = await expectBuiltDashboard(ctx.api.url);
    expect(headers.get('content-security-policy')).toContain("default-src 'self'");
    // A shared link to a task opens the same app, which routes in the browser.
    const deep = await fetch(`${ctx.api.url}/tasks/tsk_whatever`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    const api = await fetch(`${ctx.api.url}/v1/nope`, { headers: { authorization: `Bearer ${ctx.api.adminToken}` } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const traversal = await fetch(`${ctx.api.url}/assets/..%2f..%2fpackage.json`);
    expect(await traversal.text()).not.toContain('"dependencies"');
  });
});
