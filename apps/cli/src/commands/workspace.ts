import { PERMISSION_MODES, RATE_LIMIT_SCOPES, type PermissionMode, type WorkspaceCreate, type WorkspacePatch, type WorkspaceView } from '@switchyard/core';
import type { Command, Flags, Group } from '../command.ts';
import { UsageError } from '../errors.ts';
import { paint } from '../format/color.ts';
import { details, table } from '../format/table.ts';
import { ago } from '../format/time.ts';
import { printJson } from '../output.ts';
import { handOver, OUT_FILE } from './secret.ts';

function workspaceTable(rows: WorkspaceView[], now: number, color: boolean): string {
  const p = paint(color);
  return table(rows, [
    { header: 'NAME', get: (w) => w.name },
    { header: 'TEAM', get: (w) => w.team },
    { header: 'READY', get: (w) => (w.ready ? p.green('yes') : p.red('no')) },
    { header: 'AGENT', get: (w) => (w.agent ? `${w.agent.hostname}${w.agent.online ? '' : ' (offline)'}${w.agent.simulated ? ' [sim]' : ''}` : '-'), max: 32 },
    { header: 'RUNNING', get: (w) => `${w.running}/${w.maxConcurrency}`, align: 'right' },
    { header: 'QUEUED', get: (w) => String(w.queued), align: 'right' },
    { header: 'FLAGS', get: (w) => [w.paused && 'paused', w.pool && 'pool', w.rateLimitedUntil && `rate-limited ${ago(w.rateLimitedUntil, now)}`].filter(Boolean).join(',') },
    { header: 'AGE', get: (w) => ago(w.createdAt, now).replace(' ago', '') },
    { header: 'PROBLEMS', get: (w) => w.problems.join('; '), max: 60 },
  ]);
}

function workspaceDetails(w: WorkspaceView, now: number): string {
  const a = w.agent;
  return details([
    ['Name', w.name],
    ['ID', w.id],
    ['Team', w.team],
    ['Ready', w.ready ? 'yes' : `no: ${w.problems.join('; ') || 'unknown'}`],
    ['Paused', w.paused ? 'yes' : 'no'],
    ['Pool', w.pool ? 'yes (takes team tasks)' : 'no'],
    ['Concurrency', `${w.running} running of ${w.maxConcurrency}, ${w.queued} queued`],
    ['Rate limits', `scope ${w.rateLimitScope}${w.rateLimitedUntil ? `, limited until ${w.rateLimitedUntil} (${ago(w.rateLimitedUntil, now)})` : ''}`],
    ['Workdir roots', w.workdirRoots.join('\n')],
    ['Permission modes', `${w.permissionModes.join(', ')} (default ${w.defaultPermissionMode})`],
    ['Allowed tools', w.allowedTools.join(' ') || null],
    ['Disallowed tools', w.disallowedTools.join(' ') || null],
    ['Extra dirs', w.addDirs.join('\n') || null],
    ['Models', w.models.join(' ') || 'any'],
    ['Admin options', [w.mcpConfig && 'mcpConfig', w.settings && 'settings', w.systemPrompt && 'systemPrompt'].filter(Boolean).join(', ') || null],
    ['Labels', Object.entries(w.labels).map(([k, v]) => `${k}=${v}`).join(' ') || null],
    ['Agent', a ? `${a.hostname} (${a.online ? 'online' : 'offline'}, last seen ${ago(a.lastSeenAt, now)})` : 'none registered'],
    ['Agent version', a ? `${a.agentVersion}; claude ${a.claudeVersion ?? 'missing'}${a.simulated ? ' (claude-sim)' : ''}; tmux ${a.tmuxVersion ?? 'missing'}` : null],
    ['Slots', a ? `${a.freeSlots} free of ${a.slots}` : null],
    ['Created', `${w.createdAt} (${ago(w.createdAt, now)})`],
  ]);
}

/** Fleet settings shared by create and set. */
const SETTINGS = {
  'max-concurrency': { type: 'string', value: 'N', help: 'tasks it runs at once (1-256)' },
  paused: { type: 'boolean', negatable: true, help: 'take no new work (--no-paused resumes)' },
  pool: { type: 'boolean', negatable: true, help: "take tasks sent to the team (--team) as well" },
  'rate-limit-scope': { type: 'string', value: 'SCOPE', help: `who waits out a rate limit: ${RATE_LIMIT_SCOPES.join(' or ')} (team when all share one API key)` },
  'workdir-root': { type: 'string', multiple: true, value: 'DIR', help: 'directory task workdirs must lie under (replaces the list)' },
  'permission-mode': { type: 'string', multiple: true, value: 'MODE', help: `a mode tasks may pick (replaces the list): ${PERMISSION_MODES.join(', ')}` },
  'default-permission-mode': { type: 'string', value: 'MODE', help: 'the mode of a task that names none (one of the allowed)' },
  'allowed-tool': { type: 'string', multiple: true, value: 'RULE', help: 'ceiling of tool rules tasks may allow, e.g. Read or "Bash(git log:*)" (replaces the list)' },
  'disallowed-tool': { type: 'string', multiple: true, value: 'RULE', help: 'tool rule always denied (replaces the list)' },
  'add-dir': { type: 'string', multiple: true, value: 'DIR', help: 'extra directory claude may use, under the roots (replaces the list)' },
  model: { type: 'string', multiple: true, value: 'MODEL', help: 'a model tasks may choose (replaces the list; none: any)' },
} as const;

/** A repeatable flag's values when given, each one of `choices`. */
function modesFrom(flags: Flags): PermissionMode[] | undefined {
  if (!flags.has('permission-mode')) return undefined;
  const modes = flags.all('permission-mode');
  const bad = modes.find((m) => !(PERMISSION_MODES as readonly string[]).includes(m));
  if (bad) throw new UsageError(`--permission-mode must be one of ${PERMISSION_MODES.join(', ')}; got "${bad}"`);
  return modes as PermissionMode[];
}

function settingsFrom(flags: Flags): WorkspacePatch {
  const patch: WorkspacePatch = {
    maxConcurrency: flags.int('max-concurrency', { min: 1, max: 256 }),
    paused: flags.toggle('paused'),
    pool: flags.toggle('pool'),
    rateLimitScope: flags.choice('rate-limit-scope', RATE_LIMIT_SCOPES),
    workdirRoots: flags.has('workdir-root') ? flags.all('workdir-root') : undefined,
    permissionModes: modesFrom(flags),
    defaultPermissionMode: flags.choice('default-permission-mode', PERMISSION_MODES),
    allowedTools: flags.has('allowed-tool') ? flags.all('allowed-tool') : undefined,
    disallowedTools: flags.has('disallowed-tool') ? flags.all('disallowed-tool') : undefined,
    addDirs: flags.has('add-dir') ? flags.all('add-dir') : undefined,
    models: flags.has('model') ? flags.all('model') : undefined,
  };
  if (patch.workdirRoots?.some((d) => !d.startsWith('/'))) throw new UsageError('--workdir-root takes absolute directories');
  for (const k of Object.keys(patch) as Array<keyof WorkspacePatch>) if (patch[k] === undefined) delete patch[k];
  return patch;
}

/** kubectl-style label edits: `k=v` sets, `k-` removes. */
export function applyLabels(current: Record<string, string>, edits: string[]): Record<string, string> {
  const out = { ...current };
  for (const e of edits) {
    if (/^[^=]+-$/.test(e)) delete out[e.slice(0, -1)];
    else {
      const eq = e.indexOf('=');
      if (eq <= 0) throw new UsageError(`--label takes key=value to set or key- to remove, not "${e}"`);
      out[e.slice(0, eq)] = e.slice(eq + 1);
    }
  }
  return out;
}

const list: Command = {
  name: 'list',
  aliases: ['ls'],
  summary: 'List workspaces with readiness, agent and load',
  output: true,
  examples: [['Which workspaces can take work', 'switchyard workspace list']],
  async run(ctx, { output }) {
    const workspaces = await ctx.client().workspaces.list();
    if (output === 'json') printJson(ctx.io, { workspaces });
    else if (workspaces.length === 0) ctx.io.stderr.write("No workspaces. Create one with 'switchyard workspace create NAME --team TEAM'.\n");
    else ctx.io.stdout.write(workspaceTable(workspaces, ctx.io.now(), ctx.color));
    return 0;
  },
};

const show: Command = {
  name: 'show',
  aliases: ['get', 'describe'],
  summary: 'Show one workspace: readiness, agent, limits, roots',
  args: 'NAME',
  minArgs: 1,
  maxArgs: 1,
  output: true,
  examples: [['Why is it not taking work?', 'switchyard workspace show local']],
  async run(ctx, { args, output }) {
    const ws = await ctx.client().workspaces.get(args[0]!);
    if (output === 'json') printJson(ctx.io, ws);
    else ctx.io.stdout.write(workspaceDetails(ws, ctx.io.now()));
    return 0;
  },
};

const create: Command = {
  name: 'create',
  summary: 'Create a workspace (admin)',
  args: 'NAME',
  minArgs: 1,
  maxArgs: 1,
  options: {
    team: { type: 'string', short: 't', value: 'TEAM', help: 'the team it belongs to (required)' },
    ...SETTINGS,
    label: { type: 'string', short: 'l', multiple: true, value: 'K=V', help: 'a label' },
  },
  output: true,
  examples: [
    ['A workspace for one developer', 'switchyard workspace create dev-alice --team backend --workdir-root /home/alice/src'],
    ['A pool member that takes team tasks, two at a time', 'switchyard workspace create ci-runner-1 -t backend --pool --max-concurrency 2'],
  ],
  async run(ctx, { args, flags, output }) {
    const team = flags.string('team');
    if (!team) throw new UsageError('--team is required: every workspace belongs to a team', "List teams with 'switchyard team list'.");
    const body: WorkspaceCreate = { name: args[0]!, team, ...settingsFrom(flags), labels: flags.pairs('label') };
    if (!body.labels) delete body.labels;
    const ws = await ctx.client().workspaces.create(body);
    if (output === 'json') printJson(ctx.io, ws);
    else {
      ctx.io.stdout.write(`created workspace ${ws.name} (${ws.id}) in team ${ws.team}\n`);
      ctx.io.stderr.write(`Next: issue its agent token with 'switchyard workspace token ${ws.name} --out-file agent-token'.\n`);
    }
    return 0;
  },
};

const set: Command = {
  name: 'set',
  aliases: ['update', 'patch'],
  summary: 'Change a workspace: concurrency, pause, pool, rate-limit scope, labels, roots (admin)',
  args: 'NAME',
  minArgs: 1,
  maxArgs: 1,
  options: {
    ...SETTINGS,
    label: { type: 'string', short: 'l', multiple: true, value: 'K=V|K-', help: 'set a label, or remove it with K-' },
  },
  output: true,
  examples: [
    ['Pause a workspace for maintenance', 'switchyard workspace set dev-alice --paused'],
    ['Resume it and let it run three tasks at once', 'switchyard workspace set dev-alice --no-paused --max-concurrency 3'],
    ['Edit labels', 'switchyard workspace set dev-alice -l gpu=yes -l old-'],
  ],
  async run(ctx, { args, flags, output }) {
    const ref = args[0]!;
    const client = ctx.client();
    const patch = settingsFrom(flags);
    const edits = flags.all('label');
    if (edits.length) patch.labels = applyLabels((await client.workspaces.get(ref)).labels, edits);
    if (Object.keys(patch).length === 0) throw new UsageError('nothing to change: give at least one flag');
    const ws = await client.workspaces.update(ref, patch);
    if (output === 'json') printJson(ctx.io, ws);
    else ctx.io.stdout.write(`updated workspace ${ws.name}: ${describePatch(patch)}\n`);
    return 0;
  },
};

function describePatch(p: WorkspacePatch): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(':') : typeof v === 'object' ? Object.entries(v as object).map(([a, b]) => `${a}=${String(b)}`).join(',') || '{}' : String(v)}`)
    .join(' ');
}

const token: Command = {
  name: 'token',
  summary: "Issue a new agent token for a workspace's agent (admin; shown once)",
  args: 'NAME',
  minArgs: 1,
  maxArgs: 1,
  options: { 'out-file': OUT_FILE },
  output: true,
  examples: [
    ['Write it straight to the file the agent reads', 'switchyard workspace token dev-alice --out-file /etc/switchyard/agent-token'],
    ['Into a Kubernetes secret', 'kubectl create secret generic sy-agent --from-literal=token="$(switchyard workspace token dev-alice)"'],
  ],
  async run(ctx, inv) {
    const created = await ctx.client().workspaces.issueAgentToken(inv.args[0]!);
    handOver(ctx, inv, created, `agent token for workspace ${inv.args[0]}`);
    return 0;
  },
};

export const workspaceGroup: Group = {
  name: 'workspace',
  aliases: ['workspaces', 'ws'],
  summary: 'Workspaces: where tasks run, one agent each',
  commands: [list, show, create, set, token],
};
