// Shipping keeps several batches in flight; the API may take them in any order.
import { afterAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { OutputLine } from '@switchyard/core';
import type { ApiPost } from '../api-client.ts';
import { Shipper } from './shipper.ts';
import { lease, tempDir, turnRecord } from './test-support.ts';

const tmp = tempDir();
afterAll(tmp.remove);
let n = 0;
const freshTurn = () => turnRecord(tmp.dir, lease({ taskId: `tsk_0000pipe${String(++n).padStart(4, '0')}` }));
const lines = (count: number): OutputLine[] => Array.from({ length: count }, (_, i) => ({ seq: i + 1, ts: 0, line: `{"n":${i + 1}}` }));

/**
 * The agent gateway with its answers held: each POST waits until the test lets the API take it,
 * in whatever order, as concurrent requests can reach it. `contiguousOnly` is a gateway that keeps
 * only lines that follow what it holds (the least the protocol promises).
 */
function heldApi(contiguousOnly: boolean) {
  const stored = new Map<number, string>();
  const held: { lines: OutputLine[]; take: () => void }[] = [];
  let sent = 0;
  let mostOutstanding = 0;
  const ackSeq = () => {
    let s = 0;
    while (stored.has(s + 1)) s++;
    return s;
  };
  const post = ((_path: string, body: { lines: OutputLine[] }, schema: z.ZodType) =>
    new Promise((resolve) => {
      sent += body.lines.length;
      held.push({
        lines: body.lines,
        take: () => {
          for (const l of body.lines) if (!stored.has(l.seq) && (!contiguousOnly || l.seq === ackSeq() + 1)) stored.set(l.seq, l.line);
          resolve(schema.parse({ ackSeq: ackSeq() }));
        },
      });
      mostOutstanding = Math.max(mostOutstanding, held.length);
    })) as unknown as ApiPost;
  /** Lets the API take the held requests, newest first, until `done` says stop. */
  async function serveNewestFirst(done: () => boolean): Promise<void> {
    while (!done()) {
      await new Promise((r) => setImmediate(r));
      for (const h of held.splice(0).reverse()) h.take();
    }
  }
  return { post, stored, ackSeq, serveNewestFirst, sentLines: () => sent, mostOutstanding: () => mostOutstanding };
}

describe('pipelined shipping', () => {
  it('keeps several batches in flight, and stores every line once even when the API takes them out of order', async () => {
    const record = freshTurn();
    const api = heldApi(false);
    const shipper = new Shipper(api.post, record);
    lines(6000).forEach((l) => shipper.offer(l));
    let result: number | null | undefined;
    const shipping = shipper.ship().then((r) => (result = r));
    await api.serveNewestFirst(() => result !== undefined);
    await shipping;
    expect(result).toBeNull();
    expect(api.mostOutstanding()).toBeGreaterThan(1);
    expect(api.mostOutstanding()).toBeLessThanOrEqual(4);
    expect(api.ackSeq()).toBe(6000);
    expect([...api.stored.values()]).toHaveLength(6000);
    expect(record.files.readState()!.ackSeq).toBe(6000);
    // Overtaking batches were not taken for lost ones: nothing was sent twice.
    expect(api.sentLines()).toBe(6000);
  });

  it('sends again from the acknowledged seq what an API that keeps only contiguous lines dropped', async () => {
    const record = freshTurn();
    const api = heldApi(true);
    const shipper = new Shipper(api.post, record);
    const all = lines(3000);
    let rounds = 0;
    // As the turn does: after a rewind the output is read again and offered from the start.
    while (api.ackSeq() < 3000 && rounds++ < 50) {
      all.forEach((l) => shipper.offer(l));
      let result: number | null | undefined;
      const shipping = shipper.ship().then((r) => (result = r));
      await api.serveNewestFirst(() => result !== undefined);
      await shipping;
    }
    expect(api.ackSeq()).toBe(3000);
    expect([...api.stored.entries()].sort(([a], [b]) => a - b).map(([, l]) => l)).toEqual(all.map((l) => l.line));
    expect(record.files.readState()!.ackSeq).toBe(3000);
  });
});
