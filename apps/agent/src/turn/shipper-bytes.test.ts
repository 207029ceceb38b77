// Batches are sized in bytes of the body the API receives, and a 413 never wedges the shipper.
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_EVENTS_BODY_BYTES, MAX_OUTPUT_LINE_BYTES, type OutputLine } from '@switchyard/core';
import { Shipper } from './shipper.ts';
import { apiError, fakeApi, lease, tempDir, turnRecord } from './test-support.ts';

const tmp = tempDir();
afterAll(tmp.remove);
let n = 0;
const freshTurn = () => turnRecord(tmp.dir, lease({ taskId: `tsk_0000byte${String(++n).padStart(4, '0')}` }));
const many = (count: number, line: (i: number) => string): OutputLine[] =>
  Array.from({ length: count }, (_, i) => ({ seq: i + 1, ts: 1_700_000_000_000, line: line(i) }));
const bodyBytes = (body: unknown) => Buffer.byteLength(JSON.stringify(body));

/** The agent gateway with the API's body limit: a larger body is answered 413. */
function limitedApi(limit = MAX_EVENTS_BODY_BYTES) {
  const api = fakeApi((call) => (bodyBytes(call.body) > limit ? apiError(413, 'payload_too_large') : undefined));
  const sizes = () => api.calls.filter((c) => c.path.endsWith('/events')).map((c) => bodyBytes(c.body));
  return { ...api, sizes };
}

async function shipAll(shipper: Shipper, lines: OutputLine[]): Promise<void> {
  lines.forEach((l) => shipper.offer(l));
  for (let i = 0; i < 50 && !shipper.idle; i++) await shipper.ship().catch(() => undefined);
}

describe('shipper batch sizing, in bytes', () => {
  it('keeps every body of multi-byte output (CJK, emoji) under the events body limit', async () => {
    const api = limitedApi();
    const shipper = new Shipper(api.post, freshTurn());
    const lines = many(500, (i) => JSON.stringify({ i, text: '漢字かな🚀'.repeat(250) }));
    await shipAll(shipper, lines);
    expect(shipper.idle).toBe(true);
    expect(api.ackSeq()).toBe(500);
    expect(Math.max(...api.sizes())).toBeLessThanOrEqual(MAX_EVENTS_BODY_BYTES);
  });

  it('counts JSON escaping: lines of control characters and quotes go one body at a time if need be', async () => {
    const api = limitedApi();
    const shipper = new Shipper(api.post, freshTurn());
    const lines = many(6, (i) => (i % 2 ? '"' : '\u0001').repeat(MAX_OUTPUT_LINE_BYTES - 1));
    await shipAll(shipper, lines);
    expect(api.ackSeq()).toBe(6);
    expect(api.sizes().every((s) => s <= MAX_EVENTS_BODY_BYTES)).toBe(true);
    // Never split: each line is stored whole under its own seq.
    expect([...api.stored.values()]).toEqual(lines.map((l) => l.line));
  });

  it('replaces a line the API still refuses alone (413) by the truncation marker, and goes on', async () => {
    const api = limitedApi(64 * 1024);
    const shipper = new Shipper(api.post, freshTurn());
    const lines = [{ seq: 1, ts: 0, line: 'small' }, { seq: 2, ts: 0, line: 'x'.repeat(100_000) }, { seq: 3, ts: 0, line: 'after' }];
    await shipAll(shipper, lines);
    expect(shipper.idle).toBe(true);
    expect(api.ackSeq()).toBe(3);
    expect(api.stored.get(1)).toBe('small');
    expect(JSON.parse(api.stored.get(2)!)).toMatchObject({ type: 'switchyard', subtype: 'line_truncated', bytes: 100_000 });
    expect(api.stored.get(3)).toBe('after');
  });

  it('turns a line over the per-line limit into the marker before sending it', async () => {
    const api = limitedApi();
    const shipper = new Shipper(api.post, freshTurn());
    await shipAll(shipper, many(1, () => '\u0001'.repeat(MAX_OUTPUT_LINE_BYTES * 2)));
    expect(api.sizes()).toHaveLength(1);
    expect(JSON.parse(api.stored.get(1)!)).toMatchObject({ subtype: 'line_truncated', bytes: MAX_OUTPUT_LINE_BYTES * 2 });
  });
});
