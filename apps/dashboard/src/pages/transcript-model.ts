import { parseStreamLine } from '@switchyard/core';

/** One thing a person reads in a transcript, built from stream-json lines. */
export type Item =
  | { kind: 'system' | 'notice' | 'raw' | 'error'; seq: number; text: string }
  | { kind: 'text'; seq: number; text: string }
  | { kind: 'tool'; seq: number; id: string; name: string; input: unknown; result?: string; isError?: boolean }
  | {
      kind: 'result';
      seq: number;
      ok: boolean;
      subtype: string;
      text: string;
      costUsd: number | null;
      numTurns: number | null;
      durationMs: number | null;
      denials: { tool: string; input: unknown }[];
    };

type Rec = Record<string, unknown>;
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** Text of a tool_result's content: a string, or text blocks. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((b) => (b && typeof b === 'object' && typeof (b as Rec).text === 'string' ? String((b as Rec).text) : JSON.stringify(b))).join('\n');
  }
  return content === undefined ? '' : JSON.stringify(content, null, 2);
}

/**
 * Builds transcript items line by line, so a live stream appends without re-reading what came
 * before. Tool results are attached to the tool call they answer.
 */
export class Transcript {
  readonly items: Item[] = [];
  readonly raw: { seq: number; line: string }[] = [];
  lastSeq = 0;
  private tools = new Map<string, Extract<Item, { kind: 'tool' }>>();

  push(seq: number, line: string): void {
    if (seq <= this.lastSeq) return;
    this.lastSeq = seq;
    this.raw.push({ seq, line });
    const parsed = parseStreamLine(line);
    if (parsed.kind === 'raw') {
      if (line.trim()) this.items.push({ kind: 'raw', seq, text: line });
      return;
    }
    const e = parsed.event;
    if (parsed.type === 'system') this.system(seq, e);
    else if (parsed.type === 'assistant') this.assistant(seq, e);
    else if (parsed.type === 'user') this.user(e);
    else if (parsed.type === 'result') this.result(seq, e);
    else if (parsed.type === 'rate_limit_event') {
      const info = (e.rate_limit_info ?? {}) as Rec;
      if (info.status === 'rejected') {
        const resets = typeof info.resetsAt === 'number' ? new Date(info.resetsAt * 1000).toLocaleString() : 'unknown';
        this.items.push({ kind: 'error', seq, text: `Rate limited (${String(info.rateLimitType ?? 'limit')}), resets ${resets}` });
      }
    }
  }

  private system(seq: number, e: Rec): void {
    if (e.subtype === 'init') this.items.push({ kind: 'system', seq, text: `Session ${String(e.session_id ?? '?')} · model ${String(e.model ?? '?')} · ${String(e.cwd ?? '')}` });
    else if (e.subtype === 'api_retry') this.items.push({ kind: 'notice', seq, text: `API retry ${String(e.attempt ?? '?')}/${String(e.max_retries ?? '?')} (${String(e.error_status ?? e.error ?? 'error')})` });
  }

  private assistant(seq: number, e: Rec): void {
    const content = ((e.message as Rec | undefined)?.content ?? []) as Rec[];
    for (const block of content) {
      if (block.type === 'text' && typeof block.text === 'string' && block.text.trim()) {
        this.items.push({ kind: 'text', seq, text: block.text });
      } else if (block.type === 'tool_use') {
        const item = { kind: 'tool' as const, seq, id: String(block.id ?? ''), name: String(block.name ?? 'tool'), input: block.input };
        this.items.push(item);
        this.tools.set(item.id, item);
      }
    }
    if (typeof e.error === 'string') this.items.push({ kind: 'error', seq, text: e.error });
  }

  private user(e: Rec): void {
    const content = ((e.message as Rec | undefined)?.content ?? []) as Rec[];
    if (!Array.isArray(content)) return;
    for (const block of content) {
      if (block.type !== 'tool_result') continue;
      const tool = this.tools.get(String(block.tool_use_id ?? ''));
      if (tool) {
        tool.result = contentText(block.content);
        tool.isError = block.is_error === true;
      }
    }
  }

  private result(seq: number, e: Rec): void {
    const denials = Array.isArray(e.permission_denials)
      ? (e.permission_denials as Rec[]).map((d) => ({ tool: String(d.tool_name ?? '?'), input: d.tool_input }))
      : [];
    this.items.push({
      kind: 'result',
      seq,
      ok: e.is_error !== true && e.subtype === 'success',
      subtype: String(e.subtype ?? ''),
      text: typeof e.result === 'string' ? e.result : '',
      costUsd: num(e.total_cost_usd),
      numTurns: num(e.num_turns),
      durationMs: num(e.duration_ms),
      denials,
    });
  }
}
