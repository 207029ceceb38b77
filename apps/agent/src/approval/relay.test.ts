// The agent's relay of an approval to the API, with the API in memory: POST, then long-poll.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ApprovalVerdict } from '@switchyard/core';
import type { ApiGet, ApiPost } from '../api-client.ts';
import { apiError, silent } from '../turn/test-support.ts';
import { ApprovalRelay, type ApprovalTurn } from './relay.ts';
import type { RelayAsk } from './wire.ts';

const ASK: RelayAsk = { taskId: 'tsk_0000rely0001', turn: 1, toolName: 'Bash', toolUseId: 'toolu_1', input: { command: 'touch a' } };

/** An API whose answers are scripted call by call (a verdict, or an error to throw). */
function api(script: (ApprovalVerdict | Error)[]) {
  const calls: { method: string; path: string; body?: unknown }[] = [];
  const next = (schema: z.ZodType) => {
    const a = script.shift();
    if (!a) throw new Error('no more scripted answers');
    if (a instanceof Error) throw a;
    return schema.parse(a);
  };
  const post = (async (path: string, body: unknown, schema: z.ZodType) => (calls.push({ method: 'POST', path, body }), next(schema))) as ApiPost;
  const get = (async (path: string, schema: z.ZodType) => (calls.push({ method: 'GET', path }), next(schema))) as ApiGet;
  return { post, get, calls };
}

function turn(live = () => true) {
  const log: string[] = [];
  const t: ApprovalTurn = { leaseToken: 'lt-secret', live, waits: { begin: () => log.push('begin'), end: () => log.push('end') } };
  return { t, log };
}

const pending: ApprovalVerdict = { approvalId: 'apr_1', status: 'pending', answer: null };
const relayOf = (a: ReturnType<typeof api>, t: ApprovalTurn | null) =>
  new ApprovalRelay({ post: a.post, get: a.get, logger: silent, turnOf: () => t, retryDelay: () => 1 });
const signal = () => new AbortController().signal;

describe('approval relay', () => {
  it('posts the call with the lease token, long-polls while pending, and returns the answer', async () => {
    const a = api([pending, pending, { approvalId: 'apr_1', status: 'allowed', answer: { behavior: 'allow', updatedInput: { command: 'touch b' } } }]);
    const { t, log } = turn();
    expect(await relayOf(a, t).ask(ASK, signal())).toEqual({ behavior: 'allow', updatedInput: { command: 'touch b' } });
    expect(a.calls).toEqual([
      { method: 'POST', path: '/tasks/tsk_0000rely0001/approvals', body: { leaseToken: 'lt-secret', turn: 1, toolName: 'Bash', toolUseId: 'toolu_1', input: { command: 'touch a' } } },
      { method: 'GET', path: '/approvals/apr_1?waitMs=25000' },
      { method: 'GET', path: '/approvals/apr_1?waitMs=25000' },
    ]);
    // The turn's wait clock ran exactly while it waited.
    expect(log).toEqual(['begin', 'end']);
  });

  it('returns a policy answer given at once without polling', async () => {
    const a = api([{ approvalId: 'apr_2', status: 'denied', answer: { behavior: 'deny', message: 'policy: Bash(rm:*) is denied' } }]);
    expect(await relayOf(a, turn().t).ask(ASK, signal())).toEqual({ behavior: 'deny', message: 'policy: Bash(rm:*) is denied' });
    expect(a.calls).toHaveLength(1);
  });

  it('retries through an API that is down or restarting, asking again with the same tool_use_id', async () => {
    const a = api([new Error('ECONNREFUSED'), apiError(503, 'unavailable'), pending, new Error('socket hang up'), { ...pending, status: 'allowed', answer: { behavior: 'allow', updatedInput: {} } }]);
    expect(await relayOf(a, turn().t).ask(ASK, signal())).toEqual({ behavior: 'allow', updatedInput: {} });
    expect(a.calls.map((c) => c.method)).toEqual(['POST', 'POST', 'POST', 'GET', 'GET']);
    expect(new Set(a.calls.filter((c) => c.method === 'POST').map((c) => (c.body as RelayAsk).toolUseId))).toEqual(new Set(['toolu_1']));
  });

  it('denies with the reason when the API refuses the request for good', async () => {
    const a = api([apiError(409, 'turn_not_current')]);
    const answer = await relayOf(a, turn().t).ask(ASK, signal());
    expect(answer).toMatchObject({ behavior: 'deny', message: expect.stringContaining('turn_not_current') });
  });

  it('denies a closed or expired approval that carries no answer', async () => {
    const a = api([pending, { approvalId: 'apr_1', status: 'closed', answer: null }]);
    expect(await relayOf(a, turn().t).ask(ASK, signal())).toMatchObject({ behavior: 'deny', message: expect.stringContaining('closed') });
  });

  it('denies a call of a turn that is not running here with approvals, asking the API nothing', async () => {
    const a = api([]);
    expect(await relayOf(a, null).ask(ASK, signal())).toMatchObject({ behavior: 'deny', message: expect.stringContaining('not running on this agent') });
    expect(a.calls).toEqual([]);
  });

  it('refuses an input past the size an approval keeps', async () => {
    const a = api([]);
    const big = { ...ASK, input: { content: 'x'.repeat(64 * 1024) } };
    expect(await relayOf(a, turn().t).ask(big, signal())).toMatchObject({ behavior: 'deny', message: expect.stringContaining('too large') });
    expect(a.calls).toEqual([]);
  });

  it('stops polling when the turn ends, and when the asker goes away', async () => {
    // Alive when the POST goes out, ended by the time the first long-poll would.
    let checks = 0;
    const a = api([pending, pending, pending]);
    expect(await relayOf(a, turn(() => ++checks <= 1).t).ask(ASK, signal())).toMatchObject({ behavior: 'deny', message: expect.stringContaining('turn ended') });
    expect(a.calls.map((c) => c.method)).toEqual(['POST']);
    const gone = new AbortController();
    const b = api([pending]);
    const q = relayOf(b, turn().t).ask(ASK, gone.signal);
    gone.abort();
    await expect(q).rejects.toThrow();
  });
});
