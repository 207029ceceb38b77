/** One `@sim` directive from a prompt line. */
export type Directive =
  | { kind: 'sleep'; seconds: number }
  | { kind: 'say'; text: string }
  | { kind: 'echo' }
  | { kind: 'tool'; name: string }
  | { kind: 'ask'; name: string }
  | { kind: 'lines'; count: number; bytes: number }
  | { kind: 'cost'; usd: number }
  | { kind: 'exit'; code: number }
  | { kind: 'hang' }
  | { kind: 'todo' }
  | { kind: 'rate_limit'; seconds: number; times: number }
  | { kind: 'api_error'; status: number; retries: number }
  | { kind: 'fail'; text: string };

export interface Script {
  directives: Directive[];
  /** `@sim` lines it could not read, so a typo is reported instead of silently ignored. */
  unknown: string[];
}

const DIRECTIVE = /^@sim\s+(\S+)[ \t]*(.*)$/s;

function numberOr(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

/** Reads the `@sim` lines of a prompt, in order; every other line is ordinary prompt text. */
export function parseScript(prompt: string): Script {
  const directives: Directive[] = [];
  const unknown: string[] = [];
  for (const raw of prompt.split('\n')) {
    const line = raw.trim();
    const match = DIRECTIVE.exec(line);
    if (!match) {
      if (line.startsWith('@sim ') || line === '@sim') unknown.push(line);
      continue;
    }
    const verb = match[1]!;
    const rest = match[2]!;
    const words = rest.split(/\s+/).filter(Boolean);
    const directive = read(verb, rest, words);
    if (directive) directives.push(directive);
    else unknown.push(line);
  }
  return { directives, unknown };
}

function read(verb: string, rest: string, words: string[]): Directive | null {
  switch (verb) {
    case 'sleep':
      return { kind: 'sleep', seconds: Math.max(0, numberOr(words[0], 1)) };
    case 'say':
      return { kind: 'say', text: rest };
    case 'echo':
      return { kind: 'echo' };
    case 'tool':
      return { kind: 'tool', name: words[0] ?? 'Bash' };
    case 'ask':
      return { kind: 'ask', name: words[0] ?? 'Bash' };
    case 'lines':
      return {
        kind: 'lines',
        count: Math.max(0, Math.floor(numberOr(words[0], 10))),
        bytes: Math.max(1, Math.floor(numberOr(words[1], 80))),
      };
    case 'cost':
      return { kind: 'cost', usd: Math.max(0, numberOr(words[0], 0)) };
    case 'exit':
      return { kind: 'exit', code: Math.floor(numberOr(words[0], 0)) & 0xff };
    case 'hang':
      return { kind: 'hang' };
    case 'todo':
      return { kind: 'todo' };
    case 'rate_limit':
      return {
        kind: 'rate_limit',
        seconds: Math.max(0, numberOr(words[0], 60)),
        times: Math.max(1, Math.floor(numberOr(words[1], 1))),
      };
    case 'api_error':
      return {
        kind: 'api_error',
        status: Math.floor(numberOr(words[0], 529)),
        retries: Math.max(0, Math.floor(numberOr(words[1], 1))),
      };
    case 'fail':
      return { kind: 'fail', text: rest || 'simulated failure' };
    default:
      return null;
  }
}
