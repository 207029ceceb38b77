import { describe, expect, it } from 'vitest';
import { AgentErrorCodes, ApprovalVerdictSchema, EventsAckSchema } from '@switchyard/core';
import { ApiError, createApiClient, createApiGet } from './api-client.ts';

/** A client whose every request gets `res`, recording what it was sent. */
function clientAnswering(res: () => Response) {
  const sent: { url: string; init: RequestInit }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return res();
  }) as typeof fetch;
  return { post: createApiClient('https://sy.example', 'sya_token', fetchImpl), sent };
}

async function errorOf(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('agent api client', () => {
  it('reads a proxy’s HTML 502 as code http_502, keeping its text as the message', async () => {
    const html = '<html><body><h1>502 Bad Gateway</h1>nginx</body></html>';
    const { post } = clientAnswering(() => new Response(html, { status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'text/html' } }));
    const err = await errorOf(post('/events', {}, EventsAckSchema));
    expect(err).toMatchObject({ status: 502, code: 'http_502', details: {} });
    expect(err.message).toContain('502 Bad Gateway');
  });

  it('reads our error envelope: its code, message, details, Retry-After and request id', async () => {
    const body = { error: { code: 'output_incomplete', message: 'output stored up to seq 7, turn ended at 9', details: { ackSeq: 7 } } };
    const headers = { 'content-type': 'application/json', 'retry-after': '3', 'x-request-id': 'req-1' };
    const { post } = clientAnswering(() => new Response(JSON.stringify(body), { status: 409, headers }));
    const err = await errorOf(post('/tasks/t/finished', {}, EventsAckSchema));
    expect(err.code).toBe(AgentErrorCodes.outputIncomplete);
    expect(err).toMatchObject({ status: 409, message: body.error.message, details: { ackSeq: 7 }, retryAfterSec: 3, requestId: 'req-1' });
  });

  it('POSTs JSON with the agent token under /agent/v1 and parses the answer with the schema', async () => {
    const { post, sent } = clientAnswering(() => new Response('{"ackSeq":12}', { status: 200 }));
    expect(await post('/tasks/t/events', { turn: 1, lines: [] }, EventsAckSchema)).toEqual({ ackSeq: 12 });
    expect(sent[0]!.url).toBe('https://sy.example/agent/v1/tasks/t/events');
    expect(sent[0]!.init.headers).toMatchObject({ authorization: 'Bearer sya_token', 'content-type': 'application/json' });
  });

  it('GETs an approval’s long-poll with the agent token and no body', async () => {
    const sent: { url: string; init: RequestInit }[] = [];
    const fetchImpl = (async (url: string, init: RequestInit) => (sent.push({ url, init }), new Response('{"approvalId":"apr_1","status":"pending","answer":null}'))) as typeof fetch;
    const get = createApiGet('https://sy.example', 'sya_token', fetchImpl);
    expect(await get('/approvals/apr_1?waitMs=25000', ApprovalVerdictSchema)).toEqual({ approvalId: 'apr_1', status: 'pending', answer: null });
    expect(sent[0]).toMatchObject({ url: 'https://sy.example/agent/v1/approvals/apr_1?waitMs=25000', init: { method: 'GET', body: undefined, headers: { authorization: 'Bearer sya_token' } } });
  });
});

describe('a connection that silently drops traffic', () => {
  it('gives up on a request after the deadline instead of hanging', async () => {
    const { createServer } = await import('node:net');
    // Accepts the connection and never answers: a partition that resets nothing.
    const server = createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const post = createApiClient(`http://127.0.0.1:${port}`, 'sya_x', fetch, 300);
    const started = Date.now();
    await expect(post('/sync', {}, EventsAckSchema)).rejects.toThrow(/timeout|aborted/i);
    expect(Date.now() - started).toBeLessThan(10_000);
    server.close();
  });
});
