// What the launcher refuses before anything reaches tmux: each refusal is an exit.json with the
// reason, reported as `spawn_failed`, and nothing is started.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Lease } from '@switchyard/core';
import { AGENT_BIN, approvalSocketPath } from '../approval/index.ts';
import { launchTurn } from './launcher.ts';
import { lease, tempDir } from './test-support.ts';

const tmp = tempDir();
const outside = mkdtempSync(join(tmpdir(), 'sy-outside-'));
afterAll(() => {
  tmp.remove();
  rmSync(outside, { recursive: true, force: true });
});
const root = join(tmp.dir, 'root');
mkdirSync(join(root, 'repo'), { recursive: true });
symlinkSync('/etc', join(root, 'etc-link'));
symlinkSync(outside, join(root, 'outside-link'));

let n = 0;
/** Launches a lease with a tmux that records what it was asked to start. */
async function launch(patch: Partial<Lease>) {
  const started: string[][] = [];
  const tmux = { has: async () => false, kill: async () => undefined, start: async (_s: string, _cwd: string, argv: string[]) => (started.push(argv), null) };
  const config = { dir: join(tmp.dir, 'agent'), workdirRoots: [root], maxOutputBytes: 1 << 20, token: 'sya_test' };
  // Built past the schema: the agent trusts nothing in a lease, whatever the API checked.
  const l = { ...lease({ taskId: `tsk_0000lnch${String(++n).padStart(4, '0')}`, workdir: join(root, 'repo') }), ...patch };
  const record = await launchTurn({ config, tmux }, l, '/bin/true');
  return { started, exit: record.files.readExit() };
}

describe('launcher refusals', () => {
  it('starts a turn whose workdir is a real directory under the roots', async () => {
    const { started, exit } = await launch({});
    expect(exit).toBeNull();
    expect(started).toHaveLength(1);
  });

  it.each([
    ['a link to /etc', 'etc-link', '/etc'],
    ['a link to another temp dir', 'outside-link', outside],
  ])('refuses a workdir that is %s inside a root', async (_what, link, target) => {
    const { started, exit } = await launch({ workdir: join(root, link) });
    expect(started).toEqual([]);
    expect(exit?.spawnError).toBe(`workdir ${join(root, link)} resolves to ${target} outside the roots of this agent (${root})`);
  });

  it.each([
    ['an allowed tool that is a flag', { allowedTools: ['Read', '--permission-mode', 'bypassPermissions'] }, /allowedTools.*--permission-mode/],
    ['a disallowed tool that is a flag', { disallowedTools: ['--mcp-config'] }, /disallowedTools.*--mcp-config/],
    ['two rules smuggled in one', { allowedTools: ['Bash(x),Write(y)'] }, /allowedTools/],
    ['a nested rule claude splits into Bash', { allowedTools: ['Read(a(b),Bash,c)'] }, /allowedTools/],
    ['a control character in a tool rule', { allowedTools: ['Bash(ls\u001b)'] }, /allowedTools/],
    ['a model that is a flag', { model: '--dangerously-skip-permissions' }, /model/],
    ['an unknown permission mode', { permissionMode: 'yolo' }, /permission mode/],
    ['a NUL in the appended system prompt', { appendSystemPrompt: 'a\u0000b' }, /appendSystemPrompt/],
  ])('refuses %s', async (_what, options, reason) => {
    const { started, exit } = await launch({ options: options as Lease['options'] });
    expect(started).toEqual([]);
    expect(exit?.spawnError).toMatch(reason);
  });

  it('refuses an extra directory of the workspace that resolves outside the roots', async () => {
    const workspaceOptions = { addDirs: [join(root, 'outside-link')], mcpConfig: null, settings: null, systemPrompt: null };
    const { started, exit } = await launch({ workspaceOptions });
    expect(started).toEqual([]);
    expect(exit?.spawnError).toBe(`addDirs: ${join(root, 'outside-link')} resolves to ${outside} outside the roots of this agent (${root})`);
  });

  it('holds a task to the workspace ceiling the lease carries', async () => {
    const ceiling = { permissionModes: ['plan', 'default'], allowedTools: ['Read', 'Bash(git log:*)', 'Edit'], disallowedTools: ['WebFetch'] };
    const over = await launch({ ceiling, options: { permissionMode: 'acceptEdits' } });
    expect(over.exit?.spawnError).toMatch(/permission mode acceptEdits is not allowed.*plan, default/);
    const wide = await launch({ ceiling, options: { allowedTools: ['Bash(git push:*)'] } });
    expect(wide.exit?.spawnError).toMatch(/Bash\(git push:\*\) is not covered/);
    const within = await launch({ ceiling, options: { permissionMode: 'plan', allowedTools: ['Bash(git log:*)', 'Edit(src/**)'] } });
    expect(within.exit).toBeNull();
    expect(within.started).toHaveLength(1);
  });
});

describe('a tmux that cannot start', () => {
  it('ends the turn with the reason and leaves no spec, which holds claude\'s credentials, behind', async () => {
    const tmux = { has: async () => false, kill: async () => undefined, start: async () => 'no server running on /x/tmux.sock' };
    const config = { dir: join(tmp.dir, 'agent'), workdirRoots: [root], maxOutputBytes: 1 << 20, token: 'sya_test' };
    const l = lease({ taskId: `tsk_0000lnch${String(++n).padStart(4, '0')}`, workdir: join(root, 'repo') });
    const record = await launchTurn({ config, tmux, env: { PATH: '/usr/bin', ANTHROPIC_API_KEY: 'sk-ant-secret' } }, l, '/bin/true');
    expect(record.files.readExit()?.spawnError).toMatch(/tmux could not start/);
    expect(existsSync(record.files.paths.spec)).toBe(false);
  });
});

describe('a turn that may ask for approvals', () => {
  const token = 'sya_fake-not-for-claude';
  async function launchWith(patch: Partial<Lease>) {
    const tmux = { has: async () => false, kill: async () => undefined, start: async () => null };
    const config = { dir: join(tmp.dir, 'agent'), workdirRoots: [root], maxOutputBytes: 1 << 20, token };
    const l = lease({ taskId: `tsk_0000lnch${String(++n).padStart(4, '0')}`, workdir: join(root, 'repo'), ...patch });
    const record = await launchTurn({ config, tmux, env: { PATH: '/usr/bin', SWITCHYARD_AGENT_TOKEN: token } }, l, '/bin/true');
    return { l, record, spec: JSON.parse(readFileSync(record.files.paths.spec, 'utf8')) as { args: string[]; env: Record<string, string> } };
  }

  it('names the agent’s own MCP server in an owner-only config and tells claude to ask it, with no credentials', async () => {
    const { l, record, spec } = await launchWith({ approvals: { timeoutSec: 600 } });
    const file = record.files.paths.mcpConfig;
    expect(spec.args).toContain(`--mcp-config=${file}`);
    expect(spec.args).toContain('--permission-prompt-tool=mcp__switchyard__approve');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const config = readFileSync(file, 'utf8');
    expect(JSON.parse(config)).toEqual({
      mcpServers: {
        switchyard: {
          type: 'stdio',
          command: process.execPath,
          args: [AGENT_BIN, 'approval-mcp', approvalSocketPath(join(tmp.dir, 'agent')), l.taskId, '1'],
          // claude's own limit on the call: the policy's timeout decides first.
          timeout: 900_000,
        },
      },
    });
    expect(config).not.toContain(token);
    expect(JSON.stringify(spec)).not.toContain(token);
  });

  it('wires nothing when the lease carries no approvals (the permission mode never asks)', async () => {
    const { record, spec } = await launchWith({});
    expect(spec.args.some((a) => a.startsWith('--permission-prompt-tool') || a.startsWith('--mcp-config'))).toBe(false);
    expect(existsSync(record.files.paths.mcpConfig)).toBe(false);
  });
});
