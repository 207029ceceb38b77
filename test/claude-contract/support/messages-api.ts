import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A scripted stand-in for the Anthropic Messages API, so the real `claude` CLI runs offline in
// tests. It speaks what the CLI uses: POST /v1/messages (streaming SSE or JSON) and
// /v1/messages/count_tokens, and answers errors with the headers the real API sends.

export type Reply =
  | { kind: 'text'; text: string; outputTokens?: number }
  | { kind: 'tool_use'; name: string; input: Record<string, unknown>; text?: string }
  | { kind: 'error'; status: number; type: string; message: string; headers?: Record<string, string> }
  /** A streamed reply that starts and then sends nothing more, as a slow model does, until the CLI hangs up. */
  | { kind: 'stall' };

export interface MessagesRequest {
  model: string;
  stream: boolean;
  /** Text of the last user message's text blocks (the prompt, or a continuation). */
  lastUserText: string;
  /** tool_result blocks of the last user message, in order. */
  toolResults: { tool_use_id: string; content: string; is_error: boolean }[];
  /** How many messages the conversation holds (grows with --resume). */
  messageCount: number;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export type Script = (req: MessagesRequest) => Reply;

export interface MessagesApi {
  url: string;
  /** Every /v1/messages request the CLI made, in order. */
  requests: MessagesRequest[];
  script(fn: Script): void;
  close(): Promise<void>;
}

const defaultScript: Script = () => ({ kind: 'text', text: 'Hello from the stand-in.' });

export async function startMessagesApi(): Promise<MessagesApi> {
  let script = defaultScript;
  const requests: MessagesRequest[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(err) } }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const url = req.url ?? '';
    if (req.method === 'POST' && url.startsWith('/v1/messages/count_tokens')) {
      return json(res, 200, { input_tokens: Math.ceil(raw.length / 4) });
    }
    if (req.method !== 'POST' || !url.startsWith('/v1/messages')) {
      return json(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no ${req.method} ${url}` } });
    }
    const body = JSON.parse(raw) as Record<string, unknown>;
    const parsed = describeRequest(body, req.headers);
    requests.push(parsed);
    const reply = script(parsed);
    if (reply.kind === 'error') {
      res.writeHead(reply.status, { 'content-type': 'application/json', 'request-id': `req_${++n}`, ...reply.headers });
      res.end(JSON.stringify({ type: 'error', error: { type: reply.type, message: reply.message } }));
      return;
    }
    if (reply.kind === 'stall') return stall(res, parsed.model, ++n);
    const message = messageOf(reply, parsed.model, ++n);
    if (!parsed.stream) return json(res, 200, message);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_${n}` });
    for (const [event, data] of streamEvents(message)) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(fn) {
      script = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

type Block = { type: string; [k: string]: unknown };

function describeRequest(body: Record<string, unknown>, headers: IncomingMessage['headers']): MessagesRequest {
  const messages = (body.messages as { role: string; content: string | Block[] }[]) ?? [];
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const blocks: Block[] = typeof lastUser?.content === 'string' ? [{ type: 'text', text: lastUser.content }] : (lastUser?.content ?? []);
  const texts = blocks.filter((b) => b.type === 'text').map((b) => String(b.text));
  const toolResults = blocks
    .filter((b) => b.type === 'tool_result')
    .map((b) => ({
      tool_use_id: String(b.tool_use_id),
      content: typeof b.content === 'string' ? b.content : JSON.stringify(b.content),
      is_error: b.is_error === true,
    }));
  return {
    model: String(body.model),
    stream: body.stream === true,
    // The CLI prepends <system-reminder> blocks; the user's words are the last text block.
    lastUserText: texts.at(-1) ?? '',
    toolResults,
    messageCount: messages.length,
    headers,
    body,
  };
}

/** Opens a streamed reply and holds it open: claude is mid-turn until it (or the test) hangs up. */
function stall(res: ServerResponse, model: string, n: number): Promise<void> {
  const [start, block] = [...streamEvents(messageOf({ kind: 'text', text: '' }, model, n))];
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_${n}` });
  for (const [event, data] of [start!, block!]) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  return new Promise((resolve) => res.once('close', resolve));
}

function messageOf(reply: Exclude<Reply, { kind: 'error' | 'stall' }>, model: string, n: number) {
  const content: Block[] = [];
  if (reply.kind === 'text') content.push({ type: 'text', text: reply.text });
  else {
    if (reply.text) content.push({ type: 'text', text: reply.text });
    content.push({ type: 'tool_use', id: `toolu_${String(n).padStart(6, '0')}`, name: reply.name, input: reply.input });
  }
  const outputTokens = reply.kind === 'text' ? (reply.outputTokens ?? 12) : 24;
  return {
    id: `msg_${String(n).padStart(6, '0')}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: reply.kind === 'tool_use' ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 100, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

function* streamEvents(message: ReturnType<typeof messageOf>): Generator<[string, unknown]> {
  const { content, usage, stop_reason, ...rest } = message;
  yield ['message_start', { type: 'message_start', message: { ...rest, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } }];
  for (const [index, block] of content.entries()) {
    if (block.type === 'text') {
      yield ['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }];
      yield ['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } }];
    } else {
      yield ['content_block_start', { type: 'content_block_start', index, content_block: { ...block, input: {} } }];
      yield ['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } }];
    }
    yield ['content_block_stop', { type: 'content_block_stop', index }];
  }
  yield ['message_delta', { type: 'message_delta', delta: { stop_reason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }];
  yield ['message_stop', { type: 'message_stop' }];
}

/** The headers the real API sends with a subscription usage limit (HTTP 429). */
export function usageLimitHeaders(resetsAtSec: number): Record<string, string> {
  return {
    'retry-after': String(Math.max(1, resetsAtSec - Math.floor(Date.now() / 1000))),
    'anthropic-ratelimit-unified-status': 'rejected',
    'anthropic-ratelimit-unified-reset': String(resetsAtSec),
    'anthropic-ratelimit-unified-representative-claim': 'five_hour',
    'anthropic-ratelimit-unified-5h-status': 'rejected',
    'anthropic-ratelimit-unified-5h-reset': String(resetsAtSec),
    'anthropic-ratelimit-unified-5h-utilization': '1.0',
    'anthropic-ratelimit-unified-fallback': 'available',
  };
}
