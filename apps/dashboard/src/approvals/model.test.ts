import { describe, expect, it } from 'vitest';
import type { ApprovalView } from '@switchyard/core';
import { inputShape, inputSummary, lineDiff, outcome, parseEditedInput, upsert } from './model.ts';

const approval = (o: Partial<ApprovalView>): ApprovalView => ({
  id: 'apr_1',
  taskId: 'tsk_1',
  workspace: 'local',
  team: 'default',
  turn: 1,
  toolName: 'Bash',
  toolUseId: 'tu_1',
  input: { command: 'ls' },
  status: 'pending',
  decision: null,
  message: null,
  updatedInput: null,
  answeredBy: null,
  rule: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  answeredAt: null,
  expiresAt: '2026-01-01T01:00:00.000Z',
  ...o,
});

describe('approval model', () => {
  it('diffs an edit line by line, keeping the lines both sides share', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc\nd')).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'B' },
      { op: ' ', text: 'c' },
      { op: '+', text: 'd' },
    ]);
  });

  it('shows Bash as its command, Edit and MultiEdit as diffs, Write as content, anything else as JSON', () => {
    expect(inputShape('Bash', { command: 'git push', description: 'push' })).toEqual({ kind: 'command', command: 'git push', description: 'push' });
    expect(inputShape('Edit', { file_path: '/a.ts', old_string: 'x', new_string: 'y' })).toEqual({
      kind: 'edits',
      file: '/a.ts',
      edits: [[{ op: '-', text: 'x' }, { op: '+', text: 'y' }]],
    });
    const multi = inputShape('MultiEdit', { file_path: '/a.ts', edits: [{ old_string: 'p', new_string: 'p' }, { old_string: '', new_string: 'n' }] });
    expect(multi.kind === 'edits' && multi.edits.length).toBe(2);
    expect(inputShape('Write', { file_path: '/b.md', content: '# hi' })).toEqual({ kind: 'write', file: '/b.md', content: '# hi' });
    expect(inputShape('WebFetch', { url: 'https://x' })).toEqual({ kind: 'json' });
  });

  it('summarises an input in one bounded line', () => {
    expect(inputSummary('Bash', { description: 'list', command: 'ls  -la\n/tmp' })).toBe('ls -la /tmp');
    expect(inputSummary('Edit', { old_string: 'x', file_path: '/src/a.ts' })).toBe('/src/a.ts');
    expect(inputSummary('Bash', { command: 'x'.repeat(300) }, 20)).toHaveLength(20);
    expect(inputSummary('Custom', { n: 1 })).toBe('{"n":1}');
  });

  it('keeps a list oldest first when an approval is added or changes', () => {
    const a = approval({ id: 'a', createdAt: '2026-01-01T00:00:02.000Z' });
    const b = approval({ id: 'b', createdAt: '2026-01-01T00:00:01.000Z' });
    const list = upsert(upsert([], a), b);
    expect(list.map((x) => x.id)).toEqual(['b', 'a']);
    const answered = upsert(list, { ...a, status: 'denied' });
    expect(answered.map((x) => [x.id, x.status])).toEqual([['b', 'pending'], ['a', 'denied']]);
  });

  it('says who answered and how', () => {
    expect(outcome(approval({ status: 'allowed', decision: 'allow_for_task', answeredBy: 'alice' }))).toBe('Allowed for the rest of this task by alice');
    expect(outcome(approval({ status: 'allowed', decision: 'allow_once', answeredBy: 'policy', rule: 'Bash(git log:*)' }))).toBe('Allowed once by policy rule Bash(git log:*)');
    expect(outcome(approval({ status: 'denied', decision: 'deny', answeredBy: 'bob', message: 'no' }))).toBe('Denied by bob');
  });

  it('accepts an edited input only as a JSON object, and sends none when unchanged', () => {
    const original = { command: 'ls' };
    expect(parseEditedInput('{"command": "ls"}', original)).toEqual({ value: null });
    expect(parseEditedInput('{"command":"ls -la"}', original)).toEqual({ value: { command: 'ls -la' } });
    expect(parseEditedInput('[1]', original).error).toBe('the input must be a JSON object');
    expect(parseEditedInput('{', original).error).toMatch(/^not JSON/);
  });
});
