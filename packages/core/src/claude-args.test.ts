import { describe, expect, it } from 'vitest';
import { buildClaudeArgs } from './claude-args.ts';

const base = { prompt: 'do it', sessionId: '11111111-2222-4333-8444-555555555555', resume: false, options: {} };

describe('buildClaudeArgs', () => {
  it('asks for stream-json with --verbose, which -p requires', () => {
    expect(buildClaudeArgs(base)).toEqual([
      '-p', '--output-format', 'stream-json', '--verbose',
      '--session-id', base.sessionId,
      '--', 'do it',
    ]);
  });

  it('resumes the session on later turns', () => {
    const args = buildClaudeArgs({ ...base, resume: true });
    expect(args).toContain('--resume');
    expect(args).not.toContain('--session-id');
  });

  it('maps every option to its flag and ends variadic tool lists before the prompt', () => {
    const args = buildClaudeArgs({
      ...base,
      options: {
        model: 'opus',
        fallbackModel: 'sonnet',
        permissionMode: 'acceptEdits',
        allowedTools: ['Bash(git log:*)', 'Read'],
        disallowedTools: ['WebFetch'],
        maxTurns: 5,
        maxBudgetUsd: 2.5,
        appendSystemPrompt: 'Be brief.',
      },
    });
    expect(args).toEqual([
      '-p', '--output-format', 'stream-json', '--verbose',
      '--session-id', base.sessionId,
      '--model', 'opus', '--fallback-model', 'sonnet', '--permission-mode', 'acceptEdits',
      '--allowedTools', 'Bash(git log:*)', 'Read', '--disallowedTools', 'WebFetch',
      '--max-turns', '5', '--max-budget-usd', '2.5', '--append-system-prompt', 'Be brief.',
      '--', 'do it',
    ]);
  });

  it('passes a hostile prompt as one untouched argument after --', () => {
    const prompt = `--help "quoted" $(rm -rf /) \`id\` 'x'\nline2 C-c Enter \u0001 ünï 🚀`;
    const args = buildClaudeArgs({ ...base, prompt });
    expect(args.at(-1)).toBe(prompt);
    expect(args.at(-2)).toBe('--');
  });
});
