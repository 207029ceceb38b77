import { describe, expect, it } from 'vitest';
import { SseParser, readSse } from './sse.ts';

describe('SseParser', () => {
  it('assembles events split across arbitrary chunks, with ids and multi-line data', () => {
    const text = 'event: line\ndata: {"seq":1}\nid: 1\n\n: keep-alive\n\nevent: status\ndata: a\ndata: b\n\n';
    for (const size of [1, 2, 5, text.length]) {
      const p = new SseParser();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...p.push(text.slice(i, i + size)));
      expect(events).toEqual([
        { event: 'line', data: '{"seq":1}', id: '1', retry: null },
        { event: 'status', data: 'a\nb', id: '1', retry: null },
      ]);
    }
  });

  it('accepts CRLF and CR line ends, even with CRLF split between chunks', () => {
    const p = new SseParser();
    const out = [...p.push('data: x\r'), ...p.push('\n\r\n'), ...p.push('data: y\r\r')];
    // A CR at the very end may be half of a CRLF: the event waits for the next byte.
    expect(out.map((e) => e.data)).toEqual(['x']);
    out.push(...p.push('data: z\n\n'));
    expect(out.map((e) => e.data)).toEqual(['x', 'y', 'z']);
    expect(out[0]!.event).toBe('message');
  });

  it('keeps a value with no space after the colon and ignores unknown fields', () => {
    const p = new SseParser();
    expect(p.push('data:raw\nfoo: bar\nretry: 3000\n\n')).toEqual([{ event: 'message', data: 'raw', id: null, retry: 3000 }]);
  });

  it('reads a byte stream, calling onChunk for every chunk including comments', async () => {
    const enc = new TextEncoder();
    const chunks = [': ping\n\n', 'event: end\nda', 'ta: {}\n\n'];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of chunks) c.enqueue(enc.encode(ch));
        c.close();
      },
    });
    let seen = 0;
    const events = [];
    for await (const e of readSse(body, () => seen++)) events.push(e);
    expect(seen).toBe(3);
    expect(events).toEqual([{ event: 'end', data: '{}', id: null, retry: null }]);
  });
});
