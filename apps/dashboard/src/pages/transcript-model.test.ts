import { describe, expect, it } from 'vitest';
import { Transcript } from './transcript-model.ts';

const line = (o: unknown) => JSON.stringify(o);

describe('Transcript', () => {
  it('turns stream-json into text, tool calls with their results, errors and the result with denials', () => {
    const t = new Transcript();
    t.push(1, line({ type: 'system', subtype: 'init', session_id: 's1', model: 'm', cwd: '/tmp' }));
    t.push(2, line({ type: 'assistant', message: { content: [{ type: 'text', text: 'Hello **there**' }, { type: 'tool_use', id: 'tu1', name: 'Bash', input: { command: 'ls' } }] } }));
    t.push(3, line({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 'tu1', content: [{ type: 'text', text: 'denied' }], is_error: true }] } }));
    t.push(3, line({ type: 'assistant', message: { content: [{ type: 'text', text: 'a replay of seq 3' }] } }));
    t.push(4, 'not json at all');
    t.push(5, line({ type: 'result', subtype: 'success', is_error: false, result: 'done', total_cost_usd: 0.1, num_turns: 2, duration_ms: 900, permission_denials: [{ tool_name: 'Bash', tool_input: { command: 'rm -rf /' } }] }));
    expect(t.lastSeq).toBe(5);
    expect(t.raw).toHaveLength(5);
    expect(t.items.map((i) => i.kind)).toEqual(['system', 'text', 'tool', 'raw', 'result']);
    expect(t.items[2]).toMatchObject({ name: 'Bash', input: { command: 'ls' }, result: 'denied', isError: true });
    expect(t.items[4]).toMatchObject({ ok: true, costUsd: 0.1, numTurns: 2, denials: [{ tool: 'Bash', input: { command: 'rm -rf /' } }] });
  });

  it('highlights rate limits and API errors', () => {
    const t = new Transcript();
    t.push(1, line({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 1_800_000_000, rateLimitType: 'five_hour' } }));
    t.push(2, line({ type: 'assistant', message: { content: [] }, error: 'server_error' }));
    expect(t.items.map((i) => [i.kind, i.kind === 'error' ? i.text.slice(0, 12) : ''])).toEqual([
      ['error', 'Rate limited'],
      ['error', 'server_error'],
    ]);
  });
});
