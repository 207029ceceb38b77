/** One `@sim` directive from a prompt line. */
export type Directive =
  | { kind: 'sleep'; seconds: number }
  | { kind: 'say'; text: string }
  | { kind: 'echo' }
  | { kind: 'tool'; name: string }
  | { kind: 'lines'; count: number; bytes: number }
  | { kind: 'cost'; usd: number }
  | { kind: 'exit'; code: number }
  | { kind: 'hang' }
  | { kind: 'todo' }
  | { kind: 'rate_limit'; seconds: number; times: number }
  | { kind: 'fail'; text: string };

const num = (v: string | undefined, fallback: number): number => {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) ? n : fallback;
};

/** Reads `@sim` lines from a prompt, in order; other lines are ordinary prompt text. */
export function parseScript(prompt: string): Directive[] {
  const out: Directive[] = [];
  for (const raw of prompt.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('@sim ')) continue;
    const [, verb = '', ...rest] = line.split(/\s+/);
    const arg = line.slice(line.indexOf(verb) + verb.length).trim();
    switch (verb) {
      case 'sleep':
        out.push({ kind: 'sleep', seconds: num(rest[0], 1) });
        break;
      case 'say':
        out.push({ kind: 'say', text: arg });
        break;
      case 'echo':
        out.push({ kind: 'echo' });
        break;
      case 'tool':
        out.push({ kind: 'tool', name: rest[0] ?? 'Bash' });
        break;
      case 'lines':
        out.push({ kind: 'lines', count: Math.max(0, Math.floor(num(rest[0], 10))), bytes: Math.max(1, Math.floor(num(rest[1], 80))) });
        break;
      case 'cost':
        out.push({ kind: 'cost', usd: num(rest[0], 0) });
        break;
      case 'exit':
        out.push({ kind: 'exit', code: Math.floor(num(rest[0], 0)) });
        break;
      case 'hang':
        out.push({ kind: 'hang' });
        break;
      case 'todo':
        out.push({ kind: 'todo' });
        break;
      case 'rate_limit':
        out.push({ kind: 'rate_limit', seconds: num(rest[0], 60), times: Math.max(1, Math.floor(num(rest[1], 1))) });
        break;
      case 'fail':
        out.push({ kind: 'fail', text: arg || 'simulated failure' });
        break;
      default:
        break;
    }
  }
  return out;
}
