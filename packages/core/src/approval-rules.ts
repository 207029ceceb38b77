import type { ApprovalPolicy } from './schemas/approvals.ts';

// Claude Code's permission rule syntax, matched against one tool call. Pure: no I/O.
// Conservative by design: a rule it cannot read, or a call it cannot judge, never allows.

export type RuleEffect = 'allow' | 'deny' | 'ask';

/** What the policy made of a call: the effect, and the rule that decided it (null: the default). */
export interface PolicyVerdict {
  effect: RuleEffect;
  rule: string | null;
}

interface ParsedRule {
  tool: string;
  spec: string | null;
}

function parseRule(rule: string): ParsedRule | null {
  const m = /^([A-Za-z][A-Za-z0-9_-]*)(?:\((.*)\))?$/s.exec(rule.trim());
  if (!m) return null;
  return { tool: m[1]!, spec: m[2] ?? null };
}

/** Tools a path rule of each name covers, as Claude Code applies them. */
const PATH_RULE_TOOLS: Record<string, readonly string[]> = {
  Edit: ['Edit', 'MultiEdit', 'Write', 'NotebookEdit'],
  Write: ['Write'],
  Read: ['Read', 'Grep', 'Glob', 'LS', 'NotebookRead'],
};

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * The parts of a shell command split at `&&`, `||`, `;`, `|`, `&` and newlines, trimmed; null
 * when the command holds what a prefix cannot judge (substitution, backticks, redirection into a
 * subshell), so a rule never allows it.
 */
export function splitCommand(command: string): string[] | null {
  if (/\$\(|`|<\(|>\(/.test(command)) return null;
  const parts: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"') cur += command[i++] ?? '';
      cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    if (ch === '\\') {
      cur += ch + (command[++i] ?? '');
      continue;
    }
    if (';|&\n'.includes(ch)) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (quote) return null;
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Whether one simple command matches a Bash spec: `prefix:*` or an exact command. */
function bashPartMatches(spec: string, part: string): boolean {
  const normalized = part.replace(/\s+/g, ' ');
  if (spec.endsWith(':*')) {
    const prefix = spec.slice(0, -2).trim();
    return normalized === prefix || normalized.startsWith(`${prefix} `);
  }
  return normalized === spec.trim().replace(/\s+/g, ' ');
}

/** A glob of `**` (any depth), `*` (one segment) and `?` as a regular expression. */
function globRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` everything below.
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** `a/./b/../c` → `a/c`; null when `..` climbs above the root. */
function normalizePath(path: string): string | null {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(seg);
  }
  return `/${out.join('/')}`;
}

/**
 * Whether a file path matches a path spec. `//abs/**` is absolute; `/src/**`, `./src/**` and
 * `src/**` are relative to the task's workdir (the project root); `~` (a home we cannot know)
 * never matches.
 */
export function pathMatches(spec: string, filePath: string, workdir: string): boolean {
  if (spec.startsWith('~')) return false;
  const base = normalizePath(workdir);
  const file = normalizePath(filePath.startsWith('/') ? filePath : `${workdir}/${filePath}`);
  if (!base || !file) return false;
  let pattern: string;
  if (spec.startsWith('//')) pattern = spec.slice(1);
  else pattern = `${base === '/' ? '' : base}/${spec.replace(/^\.?\//, '')}`;
  return globRegex(pattern.replace(/\/+/g, '/')).test(file);
}

/** Whether a URL's host matches `domain:host` (exact) or `domain:*.host` (its subdomains). */
export function domainMatches(spec: string, url: string): boolean {
  if (!spec.startsWith('domain:')) return false;
  const domain = spec.slice('domain:'.length).toLowerCase();
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (domain.startsWith('*.')) return host.endsWith(domain.slice(1));
  return host === domain;
}

/** How one rule judges a Bash call: every part matches, some part matches, or none does. */
function bashMatch(spec: string | null, input: Record<string, unknown>): 'all' | 'some' | 'none' {
  if (spec === null) return 'all';
  const command = str(input.command);
  if (command === null) return 'none';
  const parts = splitCommand(command);
  // A command we cannot split is matched whole: an exact rule still names it, no prefix does.
  if (parts === null) return bashPartMatches(spec, command) && !spec.endsWith(':*') ? 'all' : 'none';
  const hits = parts.filter((p) => bashPartMatches(spec, p)).length;
  if (parts.length > 0 && hits === parts.length) return 'all';
  return hits > 0 ? 'some' : 'none';
}

/**
 * How a rule judges a call: `all` (it matches the whole call), `some` (it matches part of a
 * compound Bash command), or `none`.
 */
export function ruleMatch(rule: string, toolName: string, input: Record<string, unknown>, workdir: string): 'all' | 'some' | 'none' {
  const r = parseRule(rule);
  if (!r) return 'none';
  if (r.tool === 'Bash') return toolName === 'Bash' ? bashMatch(r.spec, input) : 'none';
  const pathTools = PATH_RULE_TOOLS[r.tool];
  if (pathTools && r.spec !== null) {
    if (!pathTools.includes(toolName)) return 'none';
    const path = str(input.file_path) ?? str(input.notebook_path) ?? str(input.path);
    return path !== null && pathMatches(r.spec, path, workdir) ? 'all' : 'none';
  }
  if (r.tool === 'WebFetch' && r.spec !== null) {
    const url = str(input.url);
    return toolName === 'WebFetch' && url !== null && domainMatches(r.spec, url) ? 'all' : 'none';
  }
  // A bare name (`Read`, `mcp__github__get_issue`) matches every call of that tool; a spec we
  // do not know how to read matches nothing.
  if (r.spec !== null) return 'none';
  if (pathTools) return pathTools.includes(toolName) ? 'all' : 'none';
  return r.tool === toolName ? 'all' : 'none';
}

/**
 * The policy's verdict on a call: the first rule that matches it wins, else the default. A deny
 * or ask rule matching any part of a compound command matches it; an allow rule must match all
 * of it. `taskRules` (allows a person granted for the rest of the task) only turn an `ask` into
 * an allow: they never override a deny.
 */
export function evaluatePolicy(
  policy: Pick<ApprovalPolicy, 'rules' | 'default'>,
  call: { toolName: string; input: Record<string, unknown>; workdir: string },
  taskRules: readonly string[] = [],
): PolicyVerdict {
  const match = (rule: string) => ruleMatch(rule, call.toolName, call.input, call.workdir);
  let verdict: PolicyVerdict = { effect: policy.default, rule: null };
  for (const r of policy.rules) {
    const m = match(r.rule);
    if (m === 'all' || (m === 'some' && r.effect !== 'allow')) {
      verdict = { effect: r.effect, rule: r.rule };
      break;
    }
  }
  if (verdict.effect !== 'ask') return verdict;
  const granted = taskRules.find((rule) => match(rule) === 'all');
  return granted ? { effect: 'allow', rule: granted } : verdict;
}

/** The rule an "allow for the rest of this task" answer records: the tool, or `Bash(<first word>:*)`. */
export function taskRuleFor(toolName: string, input: Record<string, unknown>): string {
  if (toolName !== 'Bash') return toolName;
  const command = str(input.command)?.trim() ?? '';
  const first = /^[A-Za-z0-9_./-]+/.exec(command)?.[0];
  return first ? `Bash(${first}:*)` : 'Bash(__never__)';
}

/** Permission modes in which claude never asks, so no approval is ever made (see the permission model). */
export const NEVER_ASKING_MODES: readonly string[] = ['bypassPermissions', 'dontAsk', 'plan'];

/** Whether claude, in this mode, may ask about a tool call: only then are approvals wired. */
export const modeMayAsk = (mode: string): boolean => !NEVER_ASKING_MODES.includes(mode);

/** The policy of a workspace that set none: ask a person about everything, within an hour. */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = { rules: [], default: 'ask', timeoutSec: 3_600 };
