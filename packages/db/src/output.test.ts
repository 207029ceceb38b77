import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDb } from './client.ts';
import { insertTask } from './tasks.ts';
import { insertTeam } from './teams.ts';
import { appendOutput, countOutput, readOutput, tailOutput } from './output.ts';
import { useTempDb } from './test-support.ts';

const ctx = useTempDb();

function task() {
  const team = insertTeam(ctx.h.db, 'default');
  return insertTask(
    ctx.h.db,
    { id: 'tsk_test000000001', teamId: team.id, prompt: 'p', workdir: '/tmp', options: {}, sessionId: 's' },
    null,
  );
}

const line = (seq: number) => ({ seq, ts: Date.now(), line: `{"n":${seq}}` });

describe('appendOutput', () => {
  it('stores each line once and acknowledges only the contiguous prefix', () => {
    const t = task();
    let ack = appendOutput(ctx.h.db, t.id, 1, [line(1), line(2), line(4)], 0);
    expect(ack).toBe(2);
    // A resend of what is stored changes nothing; the missing line closes the gap.
    ack = appendOutput(ctx.h.db, t.id, 1, [line(2), line(3), line(4), line(5)], ack);
    expect(ack).toBe(5);
    expect(readOutput(ctx.h.db, t.id, 0, ack, 100).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(tailOutput(ctx.h.db, t.id, ack, 2).map((l) => l.seq)).toEqual([4, 5]);
  });

  it('stores a large batch in a few statements, each line once, in order, whatever the resends', () => {
    const t = task();
    const seqs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    // 1…700 but 300 missing, out of order and with lines twice.
    const first = [...seqs(301, 700).reverse(), ...seqs(1, 299), ...seqs(1, 10)].map(line);
    let ack = appendOutput(ctx.h.db, t.id, 1, first, 0);
    expect(ack).toBe(299);
    // The lost ack: the same batch again, then the gap closes.
    ack = appendOutput(ctx.h.db, t.id, 1, first, ack);
    expect(ack).toBe(299);
    ack = appendOutput(ctx.h.db, t.id, 1, [line(300)], ack);
    expect(ack).toBe(700);
    expect(readOutput(ctx.h.db, t.id, 0, ack, 1000).map((l) => l.seq)).toEqual(seqs(1, 700));
    expect(countOutput(ctx.h.db, t.id)).toBe(700);
  });

  it('survives reopening the file (WAL, migrations applied once)', () => {
    const t = task();
    appendOutput(ctx.h.db, t.id, 1, [line(1)], 0);
    ctx.h.close();
    const reopened = createDb(join(ctx.dir, 'test.db'));
    expect(readOutput(reopened.db, t.id, 0, 1, 10)).toHaveLength(1);
    reopened.close();
  });
});
