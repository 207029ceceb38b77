import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTeam, insertToken, insertWorkspace, setQuota } from '@switchyard/db';
import { withNative } from './native-create.ts';
import { useHarness } from './test-support.ts';

// Two real HTTP servers over one app: Node's, with the native create route in front of Hono (as
// the API serves), and Hono's alone. Every create is sent to both; the answers must be the same.
const ctx = useHarness(); // a 64 KiB body limit
let native: Server;
let hono: Server;
let honoCallsOnNative = 0;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A raw request, so the test controls every header and byte (fetch would fix some). */
function send(server: Server, headers: Record<string, string>, body: string | Buffer): Promise<Answer> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    // Keep-alive asked for, so a server that means to close must say so.
    const asked = { connection: 'keep-alive', ...headers };
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/tasks', headers: asked, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    // A 413 may close before the whole body is sent: the answer already came.
    req.on('error', (err) => (err.message.includes('EPIPE') || err.message.includes('ECONNRESET') ? undefined : reject(err)));
    req.end(body);
  });
}

/** The answer without what differs between any two creates: ids, times, the request id. */
function comparable(a: Answer) {
  const body = a.body.replace(/tsk_[0-9a-z]+/g, '<id>').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<uuid>');
  const json = JSON.parse(body) as Record<string, unknown>;
  for (const k of ['createdAt', 'updatedAt', 'queuedAt', 'id', 'sessionId']) if (k in json) json[k] = '<varies>';
  if (Array.isArray(json.turns)) for (const t of json.turns as Record<string, unknown>[]) t.createdAt = '<varies>';
  const { 'content-type': type, 'retry-after': retryAfter, connection } = a.headers;
  return { status: a.status, type, retryAfter, connection, json };
}

/** Sends the same request to both servers and expects the same answer; returns the native one. */
async function same(headers: Record<string, string>, body: string | Buffer): Promise<Answer> {
  const before = honoCallsOnNative;
  const fromHono = await send(hono, headers, body);
  const fromNative = await send(native, headers, body);
  expect(comparable(fromNative)).toEqual(comparable(fromHono));
  const json = headers['content-type'] === 'application/json' || headers['content-type']?.startsWith('application/json;');
  // Only a body Hono would not read as JSON is handed to Hono by the native server.
  expect(honoCallsOnNative - before).toBe(json ? 0 : 1);
  return fromNative;
}

const jsonHeaders = (secret: string | null, extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  ...(secret ? { authorization: `Bearer ${secret}` } : {}),
  ...extra,
});
const task = (extra: Record<string, unknown> = {}) => JSON.stringify({ workspace: 'w', workdir: '/tmp', prompt: 'hello', ...extra });

beforeAll(async () => {
  const start = (server: Server) => new Promise<Server>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
  const counted = (req: Request, env: unknown) => {
    honoCallsOnNative++;
    return ctx.h.app.fetch(req, env);
  };
  native = await start(createServer(withNative(ctx.h.native, counted)));
  hono = await start(createServer(getRequestListener(ctx.h.app.fetch)));
});

afterAll(async () => {
  for (const s of [native, hono]) s.closeAllConnections();
  await Promise.all([native, hono].map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('POST /v1/tasks served by Node (native-create.ts) answers as Hono does', () => {
  it('creates: 201 with the task, and the caller’s x-request-id echoed', async () => {
    const a = await same(jsonHeaders(ctx.h.adminSecret), task());
    expect(a.status).toBe(201);
    expect(JSON.parse(a.body)).toMatchObject({ status: 'queued', prompt: 'hello', workspace: 'w' });
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const b = await send(native, jsonHeaders(ctx.h.adminSecret, { 'x-request-id': 'trace-1' }), task());
    expect(b.headers['x-request-id']).toBe('trace-1');
    const withCharset = await same(jsonHeaders(ctx.h.adminSecret, { 'content-type': 'application/json; charset=utf-8' }), task());
    expect(withCharset.status).toBe(201);
  });

  it('refuses bad bodies: malformed JSON, a missing field, an unknown field, a wrong type', async () => {
    for (const body of ['{"workspace": "w", ', '', task({ prompt: undefined }), task({ color: 'red' }), task({ priority: 'high' }), '[]', 'null']) {
      const a = await same(jsonHeaders(ctx.h.adminSecret), body);
      expect(a.status, body).toBe(400);
    }
  });

  it('refuses a body that is not JSON by its type through Hono, as before', async () => {
    expect((await same({ 'content-type': 'text/plain', authorization: `Bearer ${ctx.h.adminSecret}` }, task())).status).toBe(415);
  });

  it('refuses bodies over the limit, by their length or by their bytes, and closes the connection', async () => {
    const big = task({ prompt: 'x'.repeat(70 * 1024) });
    expect((await same(jsonHeaders(ctx.h.adminSecret), big)).status).toBe(413);
    const chunked = { ...jsonHeaders(ctx.h.adminSecret), 'transfer-encoding': 'chunked' };
    expect((await same(chunked, Buffer.from(big))).status).toBe(413);
  });

  it('authenticates alike: no token, an unknown one, an agent’s, a viewer’s', async () => {
    expect((await same(jsonHeaders(null), task())).status).toBe(401);
    expect((await same(jsonHeaders('syu_nope'), task())).status).toBe(401);
    const agent = insertToken(ctx.h.db.db, { kind: 'agent', name: 'a', role: 'agent', teamId: ctx.h.team.id, workspaceId: ctx.h.workspace.id });
    expect((await same(jsonHeaders(agent.secret), task())).status).toBe(401);
    const viewer = insertToken(ctx.h.db.db, { kind: 'user', name: 'v', role: 'viewer', teamId: ctx.h.team.id });
    expect((await same(jsonHeaders(viewer.secret), task())).status).toBe(403);
  });

  it('keeps one Idempotency-Key across both: a replay is 200 with the same task, another body 409', async () => {
    expect((await same(jsonHeaders(ctx.h.adminSecret, { 'idempotency-key': '' }), task())).status).toBe(400);
    const key = { 'idempotency-key': 'k-1' };
    const first = await send(hono, jsonHeaders(ctx.h.adminSecret, key), task());
    const again = await send(native, jsonHeaders(ctx.h.adminSecret, key), task());
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(JSON.parse(again.body).id).toBe(JSON.parse(first.body).id);
    expect((await same(jsonHeaders(ctx.h.adminSecret, key), task({ prompt: 'other' }))).status).toBe(409);
  });

  it('answers a team over its quota 429 with the same Retry-After', async () => {
    const team = insertTeam(ctx.h.db.db, 'full');
    insertWorkspace(ctx.h.db.db, { name: 'fw', teamId: team.id, workdirRoots: ['/tmp'] });
    setQuota(ctx.h.db.db, team.id, { maxRunning: null, maxQueued: 0, tasksPerDay: null, monthlyBudgetUsd: null });
    const a = await same(jsonHeaders(ctx.h.adminSecret), task({ workspace: 'fw' }));
    expect(a.status).toBe(429);
    expect(a.headers['retry-after']).toBeDefined();
  });
});
