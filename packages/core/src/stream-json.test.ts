import { describe, expect, it } from 'vitest';
import { classifyTurn, parseStreamLine, summarizeLines } from './stream-json.ts';

const init = JSON.stringify({ type: 'system', subtype: 'init', session_id: 'abc', model: 'claude-sonnet', claude_code_version: '2.0.1', cwd: '/tmp' });
const success = JSON.stringify({
  type: 'result',
  subtype: 'success',
  is_error: false,
  result: 'All done',
  duration_ms: 1200,
  num_turns: 3,
  total_cost_usd: 0.0123,
  usage: { input_tokens: 10, output_tokens: 20, cache_creation_input_tokens: 1, cache_read_input_tokens: 2 },
  permission_denials: [{ tool_name: 'Bash' }],
  session_id: 'abc',
});

describe('parseStreamLine', () => {
  it('keeps lines that are not JSON objects as raw, never throwing', () => {
    expect(parseStreamLine('plain text')).toEqual({ kind: 'raw', line: 'plain text' });
    expect(parseStreamLine('{"type":"assistant"')).toEqual({ kind: 'raw', line: '{"type":"assistant"' });
    expect(parseStreamLine('[1,2]')).toEqual({ kind: 'raw', line: '[1,2]' });
    // One CLI version spliced a rate_limit_event into the middle of another line.
    const spliced = '{"type":"assistant","message":{"content":[{"type":"te{"type":"rate_limit_event"}xt"}]}}';
    expect(parseStreamLine(spliced).kind).toBe('raw');
  });

  it('reads the type of an event, unknown types included', () => {
    expect(parseStreamLine('{"type":"brand_new_event","x":1}')).toMatchObject({ kind: 'event', type: 'brand_new_event' });
    expect(parseStreamLine('{"no_type":true}')).toMatchObject({ kind: 'event', type: 'unknown' });
  });
});

describe('summarizeLines and classifyTurn', () => {
  it('sums up a successful turn from its result event', () => {
    const s = summarizeLines([init, 'garbage', '{"type":"mystery"}', success]);
    expect(s).toMatchObject({
      sessionId: 'abc',
      model: 'claude-sonnet',
      claudeVersion: '2.0.1',
      resultSubtype: 'success',
      isError: false,
      result: 'All done',
      costUsd: 0.0123,
      numTurns: 3,
      durationMs: 1200,
      usage: { inputTokens: 10, outputTokens: 20, cacheCreationInputTokens: 1, cacheReadInputTokens: 2 },
      permissionDenials: 1,
      rateLimit: null,
    });
    expect(classifyTurn(s, 0)).toBe('completed');
    // The exit code is only a backstop: a success result wins over exit 1.
    expect(classifyTurn(s, 1)).toBe('completed');
  });

  it('treats an API error reported as subtype success with is_error true as a failure', () => {
    const s = summarizeLines([init, JSON.stringify({ type: 'result', subtype: 'success', is_error: true, result: 'API Error: 500 {"type":"error"}', api_error_status: 500 })]);
    expect(s.errorKind).toBe('api_error');
    expect(classifyTurn(s, 0)).toBe('failed');
  });

  it('reads a rejected rate_limit_event with its reset time', () => {
    const resetsAt = 1_900_000_000;
    const s = summarizeLines([
      init,
      JSON.stringify({ type: 'rate_limit_event', rate_limit_info: { status: 'allowed_warning', resetsAt: 1 } }),
      JSON.stringify({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt, rateLimitType: 'five_hour' } }),
      JSON.stringify({ type: 'assistant', error: 'rate_limit', message: { content: [] } }),
      JSON.stringify({ type: 'result', subtype: 'success', is_error: true, result: `Claude AI usage limit reached|${resetsAt}` }),
    ]);
    expect(s.rateLimit).toMatchObject({ resetsAt: resetsAt * 1000, kind: 'five_hour' });
    expect(classifyTurn(s, 1)).toBe('rate_limited');
  });

  it('reads the older "usage limit reached|epoch" text alone', () => {
    const s = summarizeLines([JSON.stringify({ type: 'result', subtype: 'success', is_error: true, result: 'Claude AI usage limit reached|1800000000' })]);
    expect(s.rateLimit?.resetsAt).toBe(1_800_000_000_000);
    expect(classifyTurn(s, 1)).toBe('rate_limited');
  });

  it("treats 529 overloaded after the CLI's retries as the API unavailable, not a limit of the workspace", () => {
    const s = summarizeLines([
      JSON.stringify({ type: 'system', subtype: 'api_retry', attempt: 1, max_retries: 10, error_status: 529, error: 'overloaded' }),
      JSON.stringify({ type: 'assistant', error: 'server_error', message: { content: [{ type: 'text', text: 'API Error: 529 Overloaded.' }] } }),
      JSON.stringify({ type: 'result', subtype: 'success', is_error: true, api_error_status: 529, result: 'API Error: 529 Overloaded. This is a server-side issue' }),
    ]);
    expect(s.apiRetries).toBe(1);
    expect(s.rateLimit).toBeNull();
    expect(s.errorKind).toBe('overloaded');
    expect(classifyTurn(s, 1)).toBe('unavailable');
  });

  it('keeps the latest TodoWrite list', () => {
    const todo = (status: string) =>
      JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 't', name: 'TodoWrite', input: { todos: [{ content: 'Write tests', status, activeForm: 'Writing tests' }] } }] } });
    const s = summarizeLines([todo('pending'), todo('completed')]);
    expect(s.todos).toEqual([{ content: 'Write tests', status: 'completed', activeForm: 'Writing tests' }]);
  });

  it('falls back to the exit code when there is no result event', () => {
    expect(classifyTurn(summarizeLines([init]), 0)).toBe('completed');
    expect(classifyTurn(summarizeLines([init]), 137)).toBe('failed');
    expect(classifyTurn(summarizeLines([]), null)).toBe('failed');
  });

  it('classifies max-turns as failed and a login that does not work as auth_failed', () => {
    const maxTurns = summarizeLines([JSON.stringify({ type: 'result', subtype: 'error_max_turns', is_error: true })]);
    expect(classifyTurn(maxTurns, 0)).toBe('failed');
    const auth = summarizeLines([
      JSON.stringify({ type: 'assistant', error: 'authentication_failed', message: { content: [{ type: 'text', text: 'Invalid API key · Please run /login' }] } }),
      JSON.stringify({ type: 'result', subtype: 'success', is_error: true, result: 'Invalid API key · Please run /login' }),
    ]);
    expect(auth.errorKind).toBe('authentication_failed');
    expect(classifyTurn(auth, 1)).toBe('auth_failed');
  });
});

describe('what the real CLI (2.1.332) reports that v0.1.0 dropped', () => {
  const line = (o: unknown) => JSON.stringify(o);

  it('keeps errors[] of an error result, the refused tool calls and the API error status', () => {
    const s = summarizeLines([
      line({ type: 'result', subtype: 'error_max_turns', is_error: true, num_turns: 3, errors: ['Reached maximum number of turns (2)'], permission_denials: [{ tool_name: 'Write', tool_use_id: 'toolu_1', tool_input: { file_path: '/w/out.txt', content: 'x' } }] }),
    ]);
    expect(s).toMatchObject({ resultSubtype: 'error_max_turns', result: null, errors: ['Reached maximum number of turns (2)'], permissionDenials: 1 });
    expect(s.denials).toEqual([{ toolName: 'Write', toolUseId: 'toolu_1', input: { file_path: '/w/out.txt', content: 'x' } }]);
    const api = summarizeLines([line({ type: 'result', subtype: 'success', is_error: true, api_error_status: 401, result: 'Invalid API key · Fix external API key' })]);
    expect(api.apiErrorStatus).toBe(401);
  });

  it('fails a run that spent its --max-budget-usd with claude\'s reason, though its reply ended the turn', () => {
    // As the pinned CLI prints it: one reply past the budget, stop_reason end_turn, no result.
    const s = summarizeLines([
      line({ type: 'assistant', message: { id: 'msg_1', content: [{ type: 'text', text: 'hi' }] } }),
      line({ type: 'result', subtype: 'error_max_budget_usd', is_error: true, num_turns: 1, stop_reason: 'end_turn', terminal_reason: 'budget_exhausted', total_cost_usd: 0.1004, errors: ['Reached maximum budget ($0.0001)'], permission_denials: [] }),
    ]);
    expect(s).toMatchObject({ resultSubtype: 'error_max_budget_usd', errorKind: 'error_max_budget_usd', result: null, errors: ['Reached maximum budget ($0.0001)'], costUsd: 0.1004, rateLimit: null });
    expect(classifyTurn(s, 1)).toBe('failed');
    expect(classifyTurn(s, 0)).toBe('failed');
  });

  it('fails a run that ended in error_during_execution with the errors claude gave, and no result', () => {
    const s = summarizeLines([
      line({ type: 'result', subtype: 'error_during_execution', is_error: true, num_turns: 2, total_cost_usd: 0.02, errors: ['Tool execution failed: ENOSPC'], permission_denials: [] }),
    ]);
    expect(s).toMatchObject({ resultSubtype: 'error_during_execution', errorKind: 'error_during_execution', result: null, errors: ['Tool execution failed: ENOSPC'], costUsd: 0.02 });
    expect(classifyTurn(s, 1)).toBe('failed');
    expect(classifyTurn(s, 0)).toBe('failed');
  });

  it('cuts a huge denied input to 4 KiB', () => {
    const big = 'x'.repeat(100_000);
    const s = summarizeLines([line({ type: 'result', subtype: 'success', is_error: false, permission_denials: [{ tool_name: 'Write', tool_input: { content: big } }] })]);
    expect(JSON.stringify(s.denials).length).toBeLessThan(5000);
  });

  it('follows a task list kept with TaskCreate and TaskUpdate, and says so', () => {
    const s = summarizeLines([
      line({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 'a', name: 'TaskCreate', input: { subject: 'Read the code', description: 'd', activeForm: 'Reading' } }] } }),
      line({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 'a', content: 'Task #1 created successfully: Read the code' }] } }),
      line({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 'b', name: 'TaskCreate', input: { subject: 'Fix it' } }] } }),
      line({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 'b', content: 'Task #2 created successfully: Fix it' }] } }),
      line({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 'c', name: 'TaskUpdate', input: { taskId: '1', status: 'completed' } }] } }),
    ]);
    expect(s.todoSource).toBe('TaskCreate');
    expect(s.todos).toEqual([
      { content: 'Read the code', status: 'completed', activeForm: 'Reading' },
      { content: 'Fix it', status: 'pending' },
    ]);
  });
});
