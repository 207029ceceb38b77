/** A minimal SSE reader for the benchmark: calls `onEvent` for each event until `end` or abort. */
export interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

export async function readSse(url: string, token: string, onEvent: (e: SseEvent) => boolean | void, signal?: AbortSignal): Promise<void> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal });
  if (!res.ok || !res.body) throw new Error(`SSE ${url}: ${res.status} ${await res.text()}`);
  const decoder = new TextDecoder();
  let buf = '';
  let ev: SseEvent = { id: null, event: 'message', data: '' };
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      if (line === '') {
        if (ev.data !== '' || ev.event !== 'message') {
          if (onEvent(ev) === true || ev.event === 'end') return;
        }
        ev = { id: null, event: 'message', data: '' };
      } else if (line.startsWith('id:')) ev.id = line.slice(3).trim();
      else if (line.startsWith('event:')) ev.event = line.slice(6).trim();
      else if (line.startsWith('data:')) ev.data += (ev.data ? '\n' : '') + line.slice(5).replace(/^ /, '');
    }
  }
}
