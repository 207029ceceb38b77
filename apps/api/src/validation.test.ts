import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { TaskCreateSchema } from '@switchyard/core';
import type { AppEnv } from './context.ts';
import { errorResponse } from './errors.ts';
import { jsonBody } from './routes/openapi.ts';
import { MalformedJsonError, readJson, validationHook } from './validation.ts';

/** The same schema behind the OpenAPI hook and behind readJson. */
function apps() {
  const openapi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  openapi.onError(errorResponse);
  openapi.openapi(
    createRoute({ method: 'post', path: '/t', request: { body: jsonBody(TaskCreateSchema) }, responses: { 200: { description: 'ok' } } }),
    (c) => c.json({ ok: true }, 200),
  );
  const plain = new Hono<AppEnv>();
  plain.onError(errorResponse);
  plain.post('/t', async (c) => c.json(await readJson(c, TaskCreateSchema)));
  return { openapi, plain };
}

const post = (app: { request: Hono['request'] }, body: string) =>
  app.request('/t', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('one validation error for every body', () => {
  it.each([
    ['missing prompt', JSON.stringify({ workspace: 'w' })],
    ['unknown field', JSON.stringify({ prompt: 'p', promt: 'typo' })],
    ['wrong type', JSON.stringify({ prompt: 42, priority: 1.5 })],
    ['not an object', '[1,2]'],
  ])('%s: the OpenAPI hook and readJson answer alike', async (_name, body) => {
    const { openapi, plain } = apps();
    const a = await post(openapi, body);
    const b = await post(plain, body);
    expect(a.status).toBe(400);
    expect(b.status).toBe(400);
    const fromHook = await a.json();
    expect(await b.json()).toEqual(fromHook);
    expect(fromHook).toMatchObject({ error: { code: 'invalid_request', details: { target: 'json', issues: expect.any(Array) } } });
  });

  it('names the first bad field in the message and every one in details', async () => {
    const res = await post(apps().plain, JSON.stringify({ prompt: '', priority: -1 }));
    const { error } = (await res.json()) as { error: { message: string; details: { issues: { path: string }[] } } };
    expect(error.message).toBe('prompt: prompt must not be empty');
    expect(error.details.issues.map((i) => i.path)).toEqual(['prompt', 'priority']);
  });

  it('tells malformed JSON apart, for APIs with their own wording', async () => {
    const seen: unknown[] = [];
    const app = new Hono<AppEnv>();
    app.onError((err, c) => {
      seen.push(err);
      return errorResponse(err, c);
    });
    app.post('/t', async (c) => c.json(await readJson(c, TaskCreateSchema)));
    const res = await post(app, '{"prompt":');
    expect(res.status).toBe(400);
    expect(seen[0]).toBeInstanceOf(MalformedJsonError);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_request', message: 'malformed JSON in request body' } });
  });
});
