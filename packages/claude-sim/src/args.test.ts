import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.ts';

describe('parseArgs', () => {
  it('ends a variadic tool list at the next option or at --', () => {
    const a = parseArgs([
      '-p', '--allowedTools', 'Bash(git log:*)', 'Read', '--verbose',
      '--disallowedTools', 'WebFetch', 'Write', '--', '--not-a-tool',
    ]); // prettier-ignore
    expect(a.allowedTools).toEqual(['Bash(git log:*)', 'Read']);
    expect(a.disallowedTools).toEqual(['WebFetch', 'Write']);
    expect(a.verbose).toBe(true);
    expect(a.prompt).toBe('--not-a-tool');
  });

  it('lets a variadic list swallow a prompt not set off by --, as commander does', () => {
    const a = parseArgs(['-p', '--allowedTools', 'Read', 'do the thing']);
    expect(a.allowedTools).toEqual(['Read', 'do the thing']);
    expect(a.prompt).toBeUndefined();
  });

  it('takes a required value even when it starts with a dash, and --flag=value', () => {
    const a = parseArgs(['-p', '--append-system-prompt', '-- be brief', '--output-format=json']);
    expect(a.appendSystemPrompt).toBe('-- be brief');
    expect(a.outputFormat).toBe('json');
  });

  it('reads the prompt before, between or after the options', () => {
    expect(parseArgs(['-p', 'hello', '--verbose']).prompt).toBe('hello');
    expect(parseArgs(['--verbose', '-p', '--', '-p']).prompt).toBe('-p');
    expect(parseArgs(['-p', '--', '']).prompt).toBe('');
  });

  it('reads numbers and checks choices', () => {
    const a = parseArgs([
      '-p',
      '--max-turns',
      '5',
      '--max-budget-usd',
      '2.5',
      '--permission-mode',
      'plan',
    ]);
    expect(a).toMatchObject({ maxTurns: 5, maxBudgetUsd: 2.5, permissionMode: 'plan' });
    expect(() => parseArgs(['--max-turns', 'many'])).toThrow(
      "option '--max-turns' argument 'many' is invalid",
    );
    expect(() => parseArgs(['--output-format', 'xml'])).toThrow(
      'Allowed choices are text, json, stream-json',
    );
    expect(() => parseArgs(['--permission-mode', 'yolo'])).toThrow('is invalid');
  });

  it('refuses what commander refuses', () => {
    expect(() => parseArgs(['-p', '--x'])).toThrow("error: unknown option '--x'");
    expect(() => parseArgs(['-p', '--model'])).toThrow("option '--model <value>' argument missing");
    expect(() => parseArgs(['-p', '--allowedTools', '--'])).toThrow('argument missing');
    expect(() => parseArgs(['-p', 'one', 'two'])).toThrow('too many arguments');
  });
});

describe('flags Switchyard passes that the sim takes and ignores', () => {
  it('accepts --setting-sources, --strict-mcp-config, --effort, --json-schema and the workspace options', () => {
    const a = parseArgs(['-p', '--setting-sources=user', '--strict-mcp-config', '--effort=low', '--json-schema={"type":"object"}', '--system-prompt=x', '--add-dir=/tmp', '--mcp-config={}', '--settings={}', '--', 'hi']);
    expect(a.prompt).toBe('hi');
  });

  it('accepts the approval wiring: a second --mcp-config and --permission-prompt-tool', () => {
    const a = parseArgs(['-p', '--mcp-config={}', '--mcp-config=/agent/mcp.json', '--permission-prompt-tool=mcp__switchyard__approve', '--', 'hi']);
    expect(a.prompt).toBe('hi');
  });
});
