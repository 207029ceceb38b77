import { describe, expect, it } from 'vitest';
import type { TaskView, TurnView } from '@switchyard/core';
import { paint } from './color.ts';
import { details, fit, table, visibleWidth } from './table.ts';
import { money, summaryLine, taskDetails, taskExitCode, taskTable } from './task.ts';
import { ago, duration } from './time.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const before = (ms: number) => new Date(NOW - ms).toISOString();

describe('relative times', () => {
  it('says how long ago, in the largest whole unit', () => {
    expect(ago(before(2_000), NOW)).toBe('just now');
    expect(ago(before(42_000), NOW)).toBe('42s ago');
    expect(ago(before(3 * 60_000 + 59_000), NOW)).toBe('3m ago');
    expect(ago(before(5 * 3_600_000), NOW)).toBe('5h ago');
    expect(ago(before(2 * 86_400_000), NOW)).toBe('2d ago');
    expect(ago(before(400 * 86_400_000), NOW)).toBe('1y ago');
    expect(ago(before(-4 * 60_000), NOW)).toBe('in 4m');
    expect(ago(null, NOW)).toBe('-');
  });

  it('formats run times compactly', () => {
    expect([850, 1500, 192_000, 1_800_000, 7_500_000, 7_200_000, 3 * 86_400_000 + 4 * 3_600_000].map(duration)).toEqual([
      '850ms', '1.5s', '3m12s', '30m', '2h05m', '2h', '3d4h',
    ]);
    expect(duration(null)).toBe('-');
  });
});

describe('tables', () => {
  it('aligns columns three spaces apart, right-aligns numbers, cuts long cells', () => {
    const rows = [{ a: 'x', n: '5', p: 'short' }, { a: 'longer', n: '1234', p: 'a very long prompt that goes on\nand on' }];
    expect(table(rows, [
      { header: 'NAME', get: (r) => r.a },
      { header: 'N', get: (r) => r.n, align: 'right' },
      { header: 'PROMPT', get: (r) => r.p, max: 20 },
    ])).toBe([
      'NAME        N   PROMPT',
      'x           5   short',
      'longer   1234   a very long prompt…',
      '',
    ].join('\n'));
  });

  it('measures width without colour codes, and shows - for empty cells', () => {
    const p = paint(true);
    expect(visibleWidth(p.green('ok'))).toBe(2);
    const out = table([{ s: p.red('failed') }, { s: '' }], [{ header: 'STATUS', get: (r) => r.s }, { header: 'X', get: () => 'y' }]);
    expect(out.split('\n')[1]).toBe(`${p.red('failed')}   y`);
    expect(out.split('\n')[2]).toBe('-        y');
  });

  it('flattens newlines when fitting a cell', () => {
    expect(fit('one\n  two', 50)).toBe('one ⏎ two');
  });

  it('aligns detail keys and indents multi-line values; leaves out empty ones', () => {
    expect(details([['ID', 'tsk_1'], ['Prompt', 'line 1\nline 2'], ['Error', null]])).toBe('ID:     tsk_1\nPrompt: line 1\n        line 2\n');
  });
});

function task(over: Partial<TaskView>): TaskView {
  return {
    id: 'tsk_1', workspace: 'local', team: 'default', status: 'completed', prompt: 'Fix it', workdir: '/tmp',
    priority: 0, labels: {}, options: {}, maxDurationSec: null, idleTimeoutSec: null, sessionId: 's',
    exitCode: 0, result: 'ok', isError: false, costUsd: 0.0123, numTurns: 3, durationMs: 65_000,
    usage: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
    todos: [], todoSource: null, permissionDenials: [], error: null, rateLimitedUntil: null, attempts: 1, lastSeq: 9, turns: [],
    attach: { tmuxSession: 'sy-tsk_1', command: 'tmux attach -t sy-tsk_1' }, createdBy: null,
    createdAt: before(180_000), updatedAt: before(1000), startedAt: before(120_000), finishedAt: before(55_000),
    ...over,
  };
}

function turn(n: number, over: Partial<TurnView>): TurnView {
  return {
    n, prompt: `prompt ${n}`, status: 'completed', exitCode: 0, outcome: 'exited', result: 'ok', isError: false, costUsd: 0.01,
    numTurns: 1, durationMs: 20_000, startSeq: 1, endSeq: 2, permissionDenials: [], createdAt: before(180_000),
    startedAt: before(120_000), finishedAt: before(90_000), ...over,
  };
}

describe('task formatting', () => {
  it('renders the task table with places, ages, durations and costs', () => {
    const out = taskTable([
      task({}),
      task({ id: 'tsk_2', workspace: null, team: 'backend', status: 'queued', costUsd: 0, startedAt: null, finishedAt: null, durationMs: 0, createdAt: before(30_000) }),
      task({ id: 'tsk_3', status: 'rate_limited', rateLimitedUntil: new Date(NOW + 240_000).toISOString() }),
    ], NOW, paint(false));
    expect(out.split('\n').slice(0, 4)).toEqual([
      'ID      STATUS                 WORKSPACE        CREATED   DURATION   TURNS      COST   PROMPT',
      'tsk_1   completed              local            3m ago       1m05s       0   $0.0123   Fix it',
      'tsk_2   queued                 backend (pool)   30s ago          -       0         -   Fix it',
      'tsk_3   rate_limited (in 4m)   local            3m ago       1m05s       0   $0.0123   Fix it',
    ]);
  });

  it('sums up a finished task in one line, with the error when it failed', () => {
    expect(summaryLine(task({}), paint(false))).toBe('✔ completed · tsk_1 · 1m05s · $0.0123');
    expect(summaryLine(task({ status: 'failed', exitCode: 2, error: { code: 'claude_error', message: 'boom' } }), paint(false))).toBe(
      '✖ failed · tsk_1 · 1m05s · $0.0123 · exit 2\n  claude_error: boom',
    );
  });

  it('maps statuses to exit codes and money to text', () => {
    expect(['completed', 'failed', 'killed', 'lost', 'cancelled'].map((s) => taskExitCode(s as TaskView['status']))).toEqual([0, 1, 1, 1, 1]);
    expect([money(0), money(0.5), money(12.345), money(null)]).toEqual(['$0', '$0.5000', '$12.35', '-']);
  });

  it("names claude's model calls (num_turns) apart from Switchyard's turns (the prompt and each follow-up)", () => {
    // One prompt that took claude three model calls is one turn, not "3 turns".
    const single = task({ numTurns: 3, turns: [turn(1, { numTurns: 3 })] });
    expect(summaryLine(single, paint(false))).toBe('✔ completed · tsk_1 · 1m05s · $0.0123');
    expect(taskDetails(single, NOW, paint(false))).toContain("Model calls: 3 (claude's num_turns)\n");
    expect(taskDetails(single, NOW, paint(false))).not.toMatch(/^Turns/m);
    expect(taskTable([single], NOW, paint(false)).split('\n')[1]).toMatch(/ 1\s+\$0\.0123 /);

    const followed = task({
      numTurns: 7, durationMs: 40_000,
      turns: [turn(1, { numTurns: 4 }), turn(2, { numTurns: 3, prompt: 'and the tests', startedAt: before(80_000), finishedAt: before(55_000) })],
    });
    expect(summaryLine(followed, paint(false))).toBe('✔ completed · tsk_1 · 40.0s · $0.0123 · 2 turns');
    const out = taskDetails(followed, NOW, paint(false));
    expect(out).toContain('Turns:       2 (the prompt and each follow-up)\n');
    expect(out).toContain("Model calls: 7 (claude's num_turns)\n");
    // Durations from the wall clock beside claude's own duration_ms.
    expect(out).toContain('Wall clock:  1m05s\n');
    expect(out).toContain('Claude time: 40.0s (duration_ms, summed over turns)\n');
    expect(out.slice(out.indexOf('\nTurns:\n')).split('\n').slice(2, 5)).toEqual([
      '  #   STATUS      EXIT    WALL   CLAUDE   CALLS   DENIED      COST   PROMPT',
      '  1   completed   0      30.0s    20.0s       4        -   $0.0100   prompt 1',
      '  2   completed   0      25.0s    20.0s       3        -   $0.0100   and the tests',
    ]);
  });

  it('marks a completed task whose tool calls were denied, with each refused call', () => {
    const denied = task({
      permissionDenials: [
        { turn: 1, toolName: 'Write', input: { file_path: '/w/out.txt', content: 'x' } },
        { turn: 2, toolName: 'Bash', input: { command: 'rm -rf build' } },
      ],
      turns: [turn(1, { permissionDenials: [{ toolName: 'Write', input: {} }] }), turn(2, { permissionDenials: [{ toolName: 'Bash', input: {} }] })],
    });
    expect(summaryLine(denied, paint(false))).toBe('⚠ completed · tsk_1 · 2 tool calls denied · 1m05s · $0.0123 · 2 turns');
    const one = task({ permissionDenials: [{ turn: 1, toolName: 'WebFetch', input: { url: 'https://example.com' } }] });
    expect(summaryLine(one, paint(false))).toBe('⚠ completed · tsk_1 · 1 tool call denied · 1m05s · $0.0123');
    // In colour, not the green tick of a clean success.
    const p = paint(true);
    expect(summaryLine(one, p)).toContain(p.yellow('⚠'));
    expect(summaryLine(one, p)).not.toContain('✔');
    const out = taskDetails(denied, NOW, paint(false));
    expect(out).toContain('Denied:      2 tool calls denied: Write(/w/out.txt), Bash(rm -rf build)\n');
    expect(out.slice(out.indexOf('\nTurns:\n')).split('\n').slice(3, 5)).toEqual([
      '  1   completed   0      30.0s    20.0s       1        1   $0.0100   prompt 1',
      '  2   completed   0      30.0s    20.0s       1        1   $0.0100   prompt 2',
    ]);
    expect(taskDetails(task({}), NOW, paint(false))).not.toContain('Denied');
  });
});
