// What reaches tmux and claude (issue #10): a real turn in real tmux, with a stub claude that
// writes down its cwd and environment. No user text may reach a tmux command line (where `#(…)`
// runs a command), a foreign tmux server's environment never reaches claude, and nothing of
// Switchyard's own does either. A NUL in the prompt ends the turn as spawn_failed.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TurnFinished } from '@switchyard/core';
import type { AgentConfig } from '../../apps/agent/src/config.ts';
import { Turn } from '../../apps/agent/src/turn/index.ts';
import { fakeApi, lease, silent } from '../../apps/agent/src/turn/test-support.ts';

const base = mkdtempSync(join(tmpdir(), 'sy-harden-'));
const agentDir = join(base, 'agent');
const root = join(base, 'work');
mkdirSync(root, { recursive: true });
// This file's "default" tmux server lives here, never on the developer's own socket.
const tmuxTmp = join(base, 'tmuxtmp');
mkdirSync(tmuxTmp, { mode: 0o700 });
process.env.TMUX_TMPDIR = tmuxTmp;
delete process.env.TMUX;
const defaultSocket = join(tmuxTmp, `tmux-${process.getuid!()}`, 'default');
const marker = `sy-pwned-${process.pid}`;
// Built at run time, so no secret scanner mistakes the source for a real token.
const token = `sya_hardening${'0'.repeat(24)}`;
// The agent's environment, as an operator would start it.
process.env.SWITCHYARD_AGENT_TOKEN = token;
process.env.SWITCHYARD_AGENT_TOKEN_FILE = join(base, 'agent-token');
process.env.SWITCHYARD_URL = 'http://api';
process.env.CLAUDE_SNEAKY_COPY = token;
process.env.ANTHROPIC_MODEL = 'sonnet';

// The stub claude: writes its cwd, argv and environment beside the test's files, prints a result.
const stub = join(base, 'stub-claude.mjs');
writeFileSync(stub, `#!${process.execPath}
import { writeFileSync } from 'node:fs';
const prompt = process.argv.at(-1);
writeFileSync(${JSON.stringify(base)} + '/dump-' + prompt + '.json', JSON.stringify({ cwd: process.cwd(), env: process.env }));
console.log(JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: 'ok' }));
`);
chmodSync(stub, 0o755);

const config: AgentConfig = {
  url: 'http://api', token, dir: agentDir, slots: 1, workdirRoots: [root], claudeBin: stub, simFallback: false,
  sessionRetentionSec: 1, dirRetentionSec: 1, maxOutputBytes: 1 << 20, killGraceSec: 2, logLevel: 'silent',
};

afterAll(() => {
  for (const socket of [defaultSocket, join(agentDir, 'tmux.sock')]) {
    try {
      execFileSync('tmux', ['-S', socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // no such server
    }
  }
  rmSync(join(homedir(), marker), { force: true });
  rmSync(base, { recursive: true, force: true });
});

let n = 0;
/** Runs one turn to its reported end; returns what was reported and what the stub saw. */
async function runTurn(workdir: string, prompt: string) {
  const api = fakeApi();
  const taskId = `tsk_0000hard${String(++n).padStart(4, '0')}`;
  const turn = await Turn.launch({ config, post: api.post, logger: silent }, lease({ taskId, workdir, prompt }), stub);
  for (const until = Date.now() + 20_000; !turn.done && Date.now() < until; ) {
    await turn.tick().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
  }
  const finished = api.calls.find((c) => c.path.endsWith('/finished'))?.body as TurnFinished | undefined;
  const dumpFile = join(base, `dump-${prompt}.json`);
  const seen = existsSync(dumpFile) ? (JSON.parse(readFileSync(dumpFile, 'utf8')) as { cwd: string; env: Record<string, string> }) : null;
  return { finished, seen, done: turn.done, calls: api.calls.map((c) => c.path) };
}

describe('what reaches tmux and claude', () => {
  it('never expands #(…) or #{…} of a workdir: the turn runs in the literal directory', async () => {
    const workdir = join(root, `w #(cd;touch ${marker}) #{pane_id}`);
    mkdirSync(workdir);
    const { finished, seen } = await runTurn(workdir, 'formats');
    await new Promise((r) => setTimeout(r, 1_000)); // a tmux format job runs in the background
    expect(existsSync(join(homedir(), marker))).toBe(false);
    expect(existsSync(join(process.cwd(), marker))).toBe(false);
    expect(finished?.outcome).toBe('exited');
    expect(seen?.cwd).toBe(realpathSync(workdir));
  });

  it('keeps the agent token, its file and anything of Switchyard’s out of claude’s environment', async () => {
    const { seen } = await runTurn(root, 'secrets');
    expect(seen).not.toBeNull();
    const names = Object.keys(seen!.env);
    expect(names.filter((k) => k.startsWith('SWITCHYARD_'))).toEqual([]);
    expect(Object.values(seen!.env).some((v) => v.includes(token) || v.includes('agent-token'))).toBe(false);
    expect(seen!.env.ANTHROPIC_MODEL).toBe('sonnet');
    expect(seen!.env.PATH).toBe(process.env.PATH);
    // Nor does the agent's tmux server hold it, for a shell someone opens in the pane.
    const serverEnv = execFileSync('tmux', ['-S', join(agentDir, 'tmux.sock'), 'show-environment', '-g'], { encoding: 'utf8' });
    expect(serverEnv).not.toContain(token);
  });

  it('runs on the agent’s own tmux server: a foreign server’s environment never reaches claude', async () => {
    try {
      execFileSync('tmux', ['-S', defaultSocket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // none yet
    }
    const foreignEnv: NodeJS.ProcessEnv = { ...process.env, ANTHROPIC_BASE_URL: 'http://poisoned.invalid', CLAUDE_POISONED: 'yes' };
    delete foreignEnv.ANTHROPIC_API_KEY;
    execFileSync('tmux', ['new-session', '-d', '-s', 'developers-own'], { env: foreignEnv });
    expect(existsSync(defaultSocket)).toBe(true);
    process.env.ANTHROPIC_API_KEY = 'sk-agent-only';
    delete process.env.ANTHROPIC_BASE_URL;
    const { seen } = await runTurn(root, 'foreign');
    expect(seen?.env.ANTHROPIC_API_KEY).toBe('sk-agent-only');
    expect(seen?.env.ANTHROPIC_BASE_URL).toBeUndefined();
    expect(seen?.env.CLAUDE_POISONED).toBeUndefined();
    const foreignSessions = execFileSync('tmux', ['-S', defaultSocket, 'list-sessions', '-F', '#{session_name}'], { encoding: 'utf8' });
    expect(foreignSessions.trim()).toBe('developers-own');
  });

  it('ends a turn whose prompt holds a NUL as spawn_failed, its session closed', async () => {
    const { finished, done, calls } = await runTurn(root, 'nul\u0000prompt');
    expect(done).toBe(true);
    expect(finished?.outcome).toBe('spawn_failed');
    // claude never ran, so the turn never started: its retry must not --resume a session never made.
    expect(calls.filter((p) => p.endsWith('/started'))).toEqual([]);
    expect(finished?.reason).toMatch(/null bytes/);
    const sessions = execFileSync('tmux', ['-S', join(agentDir, 'tmux.sock'), 'list-sessions', '-F', '#{session_name}'], { encoding: 'utf8' });
    expect(sessions).not.toContain(`sy-tsk_0000hard${String(n).padStart(4, '0')}`);
  });
});
