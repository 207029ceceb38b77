import type { ApprovalView } from '@switchyard/core';

// What the dashboard shows of an approval, worked out without React so it is unit-tested.

type Rec = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** One line of a diff: kept (' '), removed ('-') or added ('+'). */
export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** Past this many line pairs a diff is shown as all removed then all added (no LCS table). */
const MAX_DIFF_CELLS = 4_000_000;

/** A line diff of `a` to `b` (longest common subsequence). */
export function lineDiff(a: string, b: string): DiffLine[] {
  const x = a.split('\n');
  const y = b.split('\n');
  if (x.length * y.length > MAX_DIFF_CELLS) {
    return [...x.map((text) => ({ op: '-' as const, text })), ...y.map((text) => ({ op: '+' as const, text }))];
  }
  // lcs[i][j]: length of the LCS of x[i..] and y[j..], in one flat array.
  const w = y.length + 1;
  const lcs = new Uint32Array((x.length + 1) * w);
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      lcs[i * w + j] = x[i] === y[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      out.push({ op: ' ', text: x[i++]! });
      j++;
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) out.push({ op: '-', text: x[i++]! });
    else out.push({ op: '+', text: y[j++]! });
  }
  while (i < x.length) out.push({ op: '-', text: x[i++]! });
  while (j < y.length) out.push({ op: '+', text: y[j++]! });
  return out;
}

/** How a tool call's input reads best: a command, edits as diffs, a file's content, or JSON. */
export type InputShape =
  | { kind: 'command'; command: string; description?: string }
  | { kind: 'edits'; file: string; edits: DiffLine[][] }
  | { kind: 'write'; file: string; content: string }
  | { kind: 'json' };

export function inputShape(toolName: string, input: Rec): InputShape {
  const file = str(input.file_path) ?? str(input.notebook_path) ?? '';
  if (toolName === 'Bash' && str(input.command) !== undefined) {
    return { kind: 'command', command: str(input.command)!, description: str(input.description) };
  }
  if (toolName === 'Edit' && str(input.old_string) !== undefined && str(input.new_string) !== undefined) {
    return { kind: 'edits', file, edits: [lineDiff(str(input.old_string)!, str(input.new_string)!)] };
  }
  if (toolName === 'MultiEdit' && Array.isArray(input.edits)) {
    const edits = (input.edits as Rec[]).map((e) => lineDiff(str(e?.old_string) ?? '', str(e?.new_string) ?? ''));
    return { kind: 'edits', file, edits };
  }
  if (toolName === 'Write' && str(input.content) !== undefined) return { kind: 'write', file, content: str(input.content)! };
  return { kind: 'json' };
}

/** One short line for a table: the command, the file, the URL, or the first string in the input. */
export function inputSummary(toolName: string, input: Rec, max = 120): string {
  const pick =
    (toolName === 'Bash' ? str(input.command) : undefined) ??
    str(input.file_path) ??
    str(input.notebook_path) ??
    str(input.url) ??
    str(input.pattern) ??
    Object.values(input).find((v): v is string => typeof v === 'string') ??
    JSON.stringify(input);
  const one = pick.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** `list` with `a` added or replaced (matched by id), oldest first. */
export function upsert(list: ApprovalView[], a: ApprovalView): ApprovalView[] {
  const rest = list.filter((x) => x.id !== a.id);
  return [...rest, a].sort((p, q) => p.createdAt.localeCompare(q.createdAt) || p.id.localeCompare(q.id));
}

/** What became of an answered approval, in words. */
export function outcome(a: ApprovalView): string {
  const by = a.answeredBy === 'policy' ? `policy${a.rule ? ` rule ${a.rule}` : ''}` : (a.answeredBy ?? 'nobody');
  switch (a.status) {
    case 'pending':
      return 'Waiting for an answer';
    case 'allowed':
      return `${a.decision === 'allow_for_task' ? 'Allowed for the rest of this task' : 'Allowed once'} by ${by}${a.updatedInput ? ', with an edited input' : ''}`;
    case 'denied':
      return `Denied by ${by}`;
    case 'expired':
      return 'Expired: nobody answered in time';
    default:
      return 'Closed';
  }
}

export const APPROVAL_COLOR: Record<string, string> = {
  pending: 'orange',
  allowed: 'green',
  denied: 'red',
  expired: 'gray',
  closed: 'gray',
};

/**
 * The JSON an edited input holds: an object, or an error to show. Null when unchanged from
 * `original`, so an allow without edits sends no updatedInput.
 */
export function parseEditedInput(text: string, original: Rec): { value: Rec | null; error?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { value: null, error: `not JSON: ${(err as Error).message}` };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { value: null, error: 'the input must be a JSON object' };
  return { value: JSON.stringify(parsed) === JSON.stringify(original) ? null : (parsed as Rec) };
}

/** Whether `a` belongs in a list loaded with these filters. */
export function matches(filter: { status?: string; team?: string; workspace?: string; task?: string }, a: ApprovalView): boolean {
  return (
    (!filter.status || filter.status === a.status) &&
    (!filter.team || filter.team === a.team) &&
    (!filter.workspace || filter.workspace === a.workspace) &&
    (!filter.task || filter.task === a.taskId)
  );
}
