import { afterAll, describe, expect, it } from 'vitest';
import { TurnFiles, TurnRecord } from './layout.ts';
import { createApiClient } from '../api-client.ts';
import { Shipper } from './shipper.ts';
import { fakeApi, lease, tempDir, turnRecord } from './test-support.ts';

const tmp = tempDir();
afterAll(tmp.remove);
let n = 0;
/** A fresh turn (its own task id) under the shared temp dir. */
const freshTurn = () => turnRecord(tmp.dir, lease({ taskId: `tsk_0000ship${String(++n).padStart(4, '0')}` }));
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, ts: 0, line: `{"n":${from + i}}` }));
const offerAll = (s: Shipper, ls: ReturnType<typeof lines>) => ls.forEach((l) => s.offer(l));

describe('shipper', () => {
  it('ships every line in order, in batches, and keeps the ackSeq in state.json', async () => {
    const record = freshTurn();
    const api = fakeApi();
    const shipper = new Shipper(api.post, record);
    offerAll(shipper, lines(1, 1200));
    expect(await shipper.ship()).toBeNull();
    expect(api.batches().map((b) => b.length)).toEqual([500, 500, 200]);
    expect(api.ackSeq()).toBe(1200);
    expect(shipper.idle).toBe(true);
    expect(record.files.readState()!.ackSeq).toBe(1200);
  });

  it('keeps lines through a failed POST and sends them again on the next call', async () => {
    const record = freshTurn();
    const api = fakeApi((call, i) => (i === 1 ? new TypeError('fetch failed') : undefined));
    const shipper = new Shipper(api.post, record);
    offerAll(shipper, lines(1, 3));
    await expect(shipper.ship()).rejects.toThrow('fetch failed');
    expect(record.files.readState()!.ackSeq).toBe(0);
    offerAll(shipper, lines(4, 5));
    await shipper.ship();
    expect(api.batches()).toEqual([[1, 2, 3], [1, 2, 3, 4, 5]]);
    expect([...api.stored.keys()]).toEqual([1, 2, 3, 4, 5]);
  });

  it('resends from the API’s ackSeq when the API holds less than it was sent', async () => {
    const record = freshTurn();
    const api = fakeApi();
    const shipper = new Shipper(api.post, record);
    offerAll(shipper, lines(1, 4));
    await shipper.ship();
    // The API lost lines 3 and 4 (a write it acknowledged did not last), then gets 5 and 6.
    api.stored.delete(3);
    api.stored.delete(4);
    offerAll(shipper, lines(5, 6));
    expect(await shipper.ship()).toBe(2);
    expect(record.files.readState()!.ackSeq).toBe(2);
    // The turn reads its output again from the start: only what the API lacks goes out.
    offerAll(shipper, lines(1, 6));
    expect(await shipper.ship()).toBeNull();
    expect(api.batches().at(-1)).toEqual([3, 4, 5, 6]);
    expect([...api.stored.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('after a rewind (output_incomplete), sends again every line after the given ackSeq', async () => {
    const record = freshTurn();
    const api = fakeApi();
    const shipper = new Shipper(api.post, record);
    offerAll(shipper, lines(1, 5));
    await shipper.ship();
    shipper.rewind(1);
    expect(record.files.readState()!.ackSeq).toBe(1);
    offerAll(shipper, lines(1, 5));
    await shipper.ship();
    expect(api.batches().at(-1)).toEqual([2, 3, 4, 5]);
  });

  it('resumes in a new process from the ackSeq on disk: no line is sent twice', async () => {
    const first = freshTurn();
    const api = fakeApi();
    const before = new Shipper(api.post, first);
    offerAll(before, lines(1, 7));
    await before.ship();
    // A new agent process: the state comes from disk, the output is read from the start.
    const { lease: l } = first.state;
    const files = new TurnFiles(tmp.dir, l.taskId, l.turn);
    const after = new Shipper(api.post, new TurnRecord(files, files.readState()!));
    offerAll(after, lines(1, 10));
    await after.ship();
    expect(api.batches()).toEqual([[1, 2, 3, 4, 5, 6, 7], [8, 9, 10]]);
  });

  it('sends on the wire exactly the JSON of its batch, lines serialised once when queued', async () => {
    const bodies: string[] = [];
    const fetchImpl = (async (_url: string, init: RequestInit) => {
      bodies.push(init.body as string);
      const { lines: sent } = JSON.parse(init.body as string) as { lines: { seq: number }[] };
      return Response.json({ ackSeq: sent.at(-1)!.seq });
    }) as typeof fetch;
    const record = freshTurn();
    const shipper = new Shipper(createApiClient('http://api.invalid', 'sya_t', fetchImpl), record);
    const tricky = [{ seq: 1, ts: 5, line: '{"text":"漢字 🚀 \\"quoted\\" \\u0000"}' }, { seq: 2, ts: 6, line: 'tab\there\nnewline' }];
    offerAll(shipper, tricky);
    expect(await shipper.ship()).toBeNull();
    expect(bodies).toEqual([JSON.stringify({ turn: record.state.lease.turn, lines: tricky })]);
  });
});
