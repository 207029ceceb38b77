import { join } from 'node:path';
import type { Script } from './messages-api.ts';
import { usageLimitHeaders } from './messages-api.ts';

/**
 * What the contract suite plays through the real CLI, and the claude-sim prompt that plays the
 * same: the sim is held to the transcripts recorded from the real CLI for each of these.
 */
export interface Scenario {
  name: string;
  /** CLI arguments before the prompt (stream-json flags are added). */
  args: (cwd: string) => string[];
  prompt: string;
  /** The Messages API stand-in's replies. */
  script: (cwd: string) => Script;
  /** Variables on top of the offline environment (e.g. an OAuth login instead of a key). */
  env?: Record<string, string>;
  /** The same scenario for claude-sim: its prompt (directives) and arguments. */
  sim: { prompt: string; args?: string[] };
}

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

export const SCENARIOS: Scenario[] = [
  {
    name: 'plain',
    args: () => [],
    prompt: 'say hello',
    script: () => () => ({ kind: 'text', text: 'Hello from the stand-in.' }),
    sim: { prompt: '@sim say Hello from the stand-in.' },
  },
  {
    name: 'tool-allowed',
    args: () => ['--allowedTools', 'Read'],
    prompt: 'read the notes',
    script: (cwd) => (req) =>
      req.toolResults.length ? { kind: 'text', text: 'Read it.' } : { kind: 'tool_use', name: 'Read', input: { file_path: join(cwd, 'notes.txt') } },
    sim: { prompt: '@sim tool Read\n@sim say Read it.', args: ['--allowedTools', 'Read'] },
  },
  {
    name: 'write-denied',
    args: () => [],
    prompt: 'write a file',
    script: (cwd) => (req) =>
      req.toolResults.length ? { kind: 'text', text: 'I could not write it.' } : { kind: 'tool_use', name: 'Write', input: { file_path: join(cwd, 'out.txt'), content: 'x' } },
    sim: { prompt: '@sim tool Write\n@sim say I could not write it.' },
  },
  {
    name: 'max-turns',
    args: () => ['--max-turns', '2', '--allowedTools', 'Read'],
    prompt: 'keep reading',
    script: (cwd) => () => ({ kind: 'tool_use', name: 'Read', input: { file_path: join(cwd, 'notes.txt') } }),
    sim: { prompt: '@sim tool Read\n@sim tool Read\n@sim tool Read', args: ['--max-turns', '2', '--allowedTools', 'Read'] },
  },
  {
    name: 'max-budget',
    args: () => ['--max-budget-usd', '0.0001'],
    prompt: 'spend',
    script: () => () => ({ kind: 'text', text: 'a long answer', outputTokens: 5000 }),
    sim: { prompt: '@sim say a long answer', args: ['--max-budget-usd', '0.0001'] },
  },
  {
    name: 'usage-limit',
    args: () => [],
    prompt: 'x',
    env: { CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-contract-test', ANTHROPIC_API_KEY: '' },
    script: () => () => ({ kind: 'error', status: 429, type: 'rate_limit_error', message: 'Rate limited', headers: usageLimitHeaders(inAnHour()) }),
    sim: { prompt: '@sim rate_limit 3600' },
  },
  {
    name: 'api-key-429',
    args: () => [],
    prompt: 'x',
    env: { CLAUDE_CODE_MAX_RETRIES: '1' },
    script: () => () => ({ kind: 'error', status: 429, type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit', headers: { 'retry-after': '1' } }),
    sim: { prompt: '@sim api_error 429' },
  },
  {
    name: 'overloaded-529',
    args: () => [],
    prompt: 'x',
    env: { CLAUDE_CODE_MAX_RETRIES: '1' },
    script: () => () => ({ kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' }),
    sim: { prompt: '@sim api_error 529' },
  },
  {
    name: 'auth-401',
    args: () => [],
    prompt: 'x',
    env: { CLAUDE_CODE_MAX_RETRIES: '1' },
    script: () => () => ({ kind: 'error', status: 401, type: 'authentication_error', message: 'invalid x-api-key' }),
    sim: { prompt: '@sim api_error 401' },
  },
];
