import { describe, expect, it } from 'vitest';
import { RecentOutput, RUN_LINES } from './recent-output.ts';

const line = (seq: number, size = 10) => ({ seq, ts: seq, line: 'x'.repeat(size) });
const seqs = (lines: { seq: number }[] | undefined) => lines?.map((l) => l.seq);

describe('RecentOutput', () => {
  it('answers from the newest lines of a task, and leaves anything older to SQLite', () => {
    const r = new RecentOutput();
    r.stored('t', 0, 3, [line(3), line(1), line(2)]);
    r.stored('t', 3, 5, [line(4), line(5)]);
    expect(seqs(r.read('t', 0, 5, 100))).toEqual([1, 2, 3, 4, 5]);
    expect(seqs(r.read('t', 1, 5, 2))).toEqual([2, 3]);
    const many = Array.from({ length: RUN_LINES }, (_, i) => line(6 + i));
    r.stored('t', 5, 5 + RUN_LINES, many);
    expect(seqs(r.read('t', 5 + RUN_LINES - 2, 5 + RUN_LINES, 100))).toEqual([4 + RUN_LINES, 5 + RUN_LINES]);
    expect(r.read('t', 4, 6, 100)).toBeUndefined();
    expect(r.read('t', 5, 6 + RUN_LINES, 100)).toBeUndefined();
    expect(r.read('other', 0, 1, 100)).toBeUndefined();
  });

  it('keeps nothing for a batch that stored less than it closed (a gap filled from SQLite)', () => {
    const r = new RecentOutput();
    r.stored('t', 0, 1, [line(1)]);
    // Lines 2–3 came in an earlier batch past a gap; this one closed it with line 2 only.
    r.stored('t', 1, 3, [line(2)]);
    expect(r.read('t', 1, 3, 100)).toBeUndefined();
    expect(r.read('t', 0, 1, 100)).toBeUndefined();
  });

  it('holds a bounded amount of output, the least recent tasks going first', () => {
    const r = new RecentOutput();
    for (let i = 0; i < 40; i++) r.stored(`t${i}`, 0, 1, [line(1, 512 * 1024)]);
    expect(r.read('t0', 0, 1, 10)).toBeUndefined();
    expect(seqs(r.read('t39', 0, 1, 10))).toEqual([1]);
  });
});
