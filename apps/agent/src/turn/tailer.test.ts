import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Tailer } from './tailer.ts';
import { tempDir } from './test-support.ts';

const tmp = tempDir();
afterAll(tmp.remove);
let n = 0;
const file = () => join(tmp.dir, `out-${++n}.jsonl`);

function readAll(t: Tailer, final = false): string[] {
  const lines: string[] = [];
  t.read((l) => lines.push(l), { final });
  return lines;
}

describe('tailer', () => {
  it('hands over whole lines only; a line being written waits for its newline', () => {
    const f = file();
    writeFileSync(f, '{"a":1}\n{"b":');
    const t = new Tailer(f);
    expect(readAll(t)).toEqual(['{"a":1}']);
    expect(t.atEnd()).toBe(false);
    appendFileSync(f, '2}\n{"c":3}\n');
    expect(readAll(t)).toEqual(['{"b":2}', '{"c":3}']);
    expect(t.atEnd()).toBe(true);
    expect(readAll(t)).toEqual([]);
  });

  it('keeps a line whole across read chunks, multi-byte characters included', () => {
    const f = file();
    // 1.4 MB of 2-byte characters after 3 bytes: the 1 MiB read chunk ends inside one of them.
    const long = 'é'.repeat(700_000);
    writeFileSync(f, `xy\n${long}\nlast\n`);
    const lines = readAll(new Tailer(f));
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(long);
    expect(lines[2]).toBe('last');
  });

  it('keeps a character split between two writes whole', () => {
    const f = file();
    const bytes = Buffer.from('naïve\n');
    writeFileSync(f, bytes.subarray(0, 3)); // ends inside 'ï'
    const t = new Tailer(f);
    expect(readAll(t)).toEqual([]);
    appendFileSync(f, bytes.subarray(3));
    expect(readAll(t)).toEqual(['naïve']);
  });

  it('gives a last line without a newline only once the writer has ended', () => {
    const f = file();
    writeFileSync(f, 'one\ntwo');
    const t = new Tailer(f);
    expect(readAll(t)).toEqual(['one']);
    expect(readAll(t, true)).toEqual(['two']);
    expect(t.atEnd()).toBe(true);
  });

  it('resumes from a byte offset, and starts over after a reset', () => {
    const f = file();
    writeFileSync(f, 'l1\nl2\nl3\n');
    const t = new Tailer(f, Buffer.byteLength('l1\n'));
    expect(readAll(t)).toEqual(['l2', 'l3']);
    expect(t.offset).toBe(9);
    t.reset();
    expect(readAll(t)).toEqual(['l1', 'l2', 'l3']);
  });

  it('stops between chunks when told it has enough, and goes on from there', () => {
    const f = file();
    const line = 'x'.repeat(1000);
    writeFileSync(f, `${line}\n`.repeat(3000)); // ~3 MiB: three chunks
    const t = new Tailer(f);
    const first: string[] = [];
    t.read((l) => first.push(l), { enough: () => first.length > 0 });
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(3000);
    expect(first.length + readAll(t).length).toBe(3000);
  });

  it('reads nothing from a file not yet created', () => {
    const t = new Tailer(join(tmp.dir, 'missing.jsonl'));
    expect(readAll(t, true)).toEqual([]);
    expect(t.atEnd()).toBe(true);
  });
});
