import { describe, expect, it } from 'vitest';
import { parseDuration, parseInvocation, type Command } from './command.ts';
import { UsageError } from './errors.ts';

const cmd: Command = {
  name: 'create',
  summary: 'x',
  args: 'PROMPT',
  minArgs: 1,
  maxArgs: 2,
  options: {
    tools: { type: 'string', multiple: true, help: '' },
    wait: { type: 'boolean', help: '' },
    paused: { type: 'boolean', negatable: true, help: '' },
    n: { type: 'string', help: '' },
    label: { type: 'string', short: 'l', multiple: true, help: '' },
    mode: { type: 'string', help: '' },
    dur: { type: 'string', help: '' },
  },
  output: true,
  examples: [],
  run: async () => 0,
};

const parse = (...argv: string[]) => {
  const r = parseInvocation(cmd, 'task create', argv);
  if (r.help) throw new Error('help');
  return r.inv;
};
const usage = (...argv: string[]) => {
  try {
    parse(...argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no usage error');
};

describe('parseInvocation', () => {
  it('sees --help anywhere before --, but not after it', () => {
    expect(parseInvocation(cmd, 'task create', ['x', '--help']).help).toBe(true);
    expect(parseInvocation(cmd, 'task create', ['-h']).help).toBe(true);
    expect(parseInvocation(cmd, 'task create', ['--', '-h']).help).toBe(false);
  });

  it('takes positionals, - for stdin, and -o json|table', () => {
    expect(parse('-', '-o', 'json')).toMatchObject({ args: ['-'], output: 'json' });
    expect(parse('a', 'b').output).toBe('table');
    expect(usage('x', '-o', 'yaml')).toBe('-o/--output must be json or table; got "yaml"');
  });

  it('names the command in unknown-flag, missing-value and argument-count errors', () => {
    expect(usage('--nope', 'x')).toBe("unknown option '--nope' for 'task create'");
    expect(usage('x', '--n')).toBe('option --n needs a value');
    expect(usage('--wait=yes', 'x')).toBe("option '--wait' does not take an argument");
    expect(usage()).toBe("'task create' needs PROMPT");
    expect(usage('a', 'b', 'c')).toBe('\'task create\' takes at most 2 argument(s) (PROMPT); got "a" "b" "c"');
  });

  it('accepts --no-x only for flags whose negative means something', () => {
    expect(parse('x', '--no-paused').flags.toggle('paused')).toBe(false);
    expect(parse('x', '--paused').flags.toggle('paused')).toBe(true);
    expect(parse('x').flags.toggle('paused')).toBeUndefined();
    expect(usage('x', '--no-wait')).toBe("unknown option '--no-wait' for 'task create'");
  });
});

describe('Flags', () => {
  it('splits repeatable lists on commas and drops blanks', () => {
    expect(parse('x', '--tools', 'Read,Grep', '--tools', 'Bash(git *)', '--tools', ',').flags.list('tools')).toEqual(['Read', 'Grep', 'Bash(git *)']);
    expect(parse('x').flags.list('tools')).toBeUndefined();
  });

  it('checks numbers and ranges', () => {
    expect(parse('x', '--n', '7').flags.int('n', { min: 1 })).toBe(7);
    expect(() => parse('x', '--n', '1.5').flags.int('n')).toThrow('--n takes a whole number, not "1.5"');
    expect(() => parse('x', '--n', '0').flags.int('n', { min: 1 })).toThrow('--n must be at least 1; got 0');
    expect(() => parse('x', '--n', '2000').flags.int('n', { max: 1000 })).toThrow('--n must be at most 1000; got 2000');
    expect(parse('x', '--n', '2.5').flags.number('n')).toBe(2.5);
    expect(() => parse('x', '--n', 'lots').flags.number('n')).toThrow('--n takes a number, not "lots"');
  });

  it('reads key=value pairs, choices and durations', () => {
    expect(parse('x', '-l', 'a=1', '-l', 'b=x=y').flags.pairs('label')).toEqual({ a: '1', b: 'x=y' });
    expect(() => parse('x', '-l', '=1').flags.pairs('label')).toThrow('--label takes key=value, not "=1"');
    expect(parse('x', '--mode', 'plan').flags.choice('mode', ['plan', 'default'])).toBe('plan');
    expect(() => parse('x', '--mode', 'yolo').flags.choice('mode', ['plan', 'default'])).toThrow('--mode must be one of plan, default; got "yolo"');
    expect(parse('x', '--dur', '30m').flags.duration('dur')).toBe(1800);
    expect(() => parse('x', '--dur', '30 minutes').flags.duration('dur')).toThrow('--dur takes a duration like 90s, 30m, 2h or 1d');
  });
});

describe('parseDuration', () => {
  it('reads bare seconds and s/m/h/d', () => {
    expect([parseDuration('90'), parseDuration('90s'), parseDuration('2h'), parseDuration('1d'), parseDuration('1.5h'), parseDuration('')]).toEqual([90, 90, 7200, 86_400, null, null]);
  });
});
