import { parseStreamLine } from './stream-json.ts';

function short(value: unknown, max = 100): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function toolHint(input: unknown): string {
  if (!input || typeof input !== 'object') return '';
  const i = input as Record<string, unknown>;
  const hint = i.command ?? i.file_path ?? i.path ?? i.pattern ?? i.url ?? i.description;
  return hint === undefined ? '' : short(hint, 80);
}

/**
 * A readable rendering of one stream-json line for people: the tmux pane and `switchyard task
 * logs`. Returns no lines for events nobody needs to read; raw lines pass through.
 */
export function renderLine(line: string): string[] {
  const parsed = parseStreamLine(line);
  if (parsed.kind === 'raw') return [line];
  const e = parsed.event;
  const out: string[] = [];
  switch (parsed.type) {
    case 'system':
      if (e.subtype === 'init') {
        out.push(`▶ session ${String(e.session_id ?? '?')} · model ${String(e.model ?? '?')} · ${String(e.cwd ?? '')}`);
      } else if (e.subtype === 'api_retry') {
        out.push(`↻ API retry ${String(e.attempt ?? '?')}/${String(e.max_retries ?? '?')} (${String(e.error_status ?? e.error ?? 'error')})`);
      }
      break;
    case 'assistant': {
      const content = (e.message as { content?: unknown[] } | undefined)?.content ?? [];
      for (const raw of content) {
        const block = raw as Record<string, unknown>;
        if (block.type === 'text' && typeof block.text === 'string') out.push(...block.text.split('\n'));
        else if (block.type === 'tool_use') out.push(`⚙ ${String(block.name)} ${toolHint(block.input)}`.trimEnd());
      }
      if (typeof e.error === 'string') out.push(`✖ ${e.error}`);
      break;
    }
    case 'user': {
      const content = (e.message as { content?: unknown[] } | undefined)?.content ?? [];
      for (const raw of content) {
        const block = raw as Record<string, unknown>;
        if (block.type === 'tool_result') {
          out.push(`  ↳ ${block.is_error ? 'error: ' : ''}${short(block.content, 100)}`);
        }
      }
      break;
    }
    case 'rate_limit_event': {
      const info = (e.rate_limit_info ?? {}) as Record<string, unknown>;
      if (info.status === 'rejected') {
        const resets = typeof info.resetsAt === 'number' ? new Date(info.resetsAt * 1000).toISOString() : 'unknown';
        out.push(`⏳ rate limited (${String(info.rateLimitType ?? 'limit')}), resets ${resets}`);
      }
      break;
    }
    case 'result': {
      const cost = typeof e.total_cost_usd === 'number' ? ` · $${e.total_cost_usd.toFixed(4)}` : '';
      const secs = typeof e.duration_ms === 'number' ? ` · ${(e.duration_ms / 1000).toFixed(1)}s` : '';
      const turns = typeof e.num_turns === 'number' ? ` · ${e.num_turns} turns` : '';
      const failed = e.is_error === true || e.subtype !== 'success';
      out.push(`${failed ? '✖ failed' : '✔ done'} (${String(e.subtype)})${cost}${turns}${secs}`);
      if (typeof e.result === 'string' && e.result) out.push(...e.result.split('\n'));
      break;
    }
    default:
      break;
  }
  return out;
}
