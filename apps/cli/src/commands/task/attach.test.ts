// `switchyard task attach` reaches the agent's private tmux server through the socket in the
// command the API shows, and never hands that command to a shell.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Client } from '@switchyard/client';
import { Flags, type Ctx } from '../../command.ts';
import { fakeIo } from '../../fake-io.ts';
import { attachCommand } from './attach.ts';

const shimDir = mkdtempSync(join(tmpdir(), 'sy-attach-shim-'));
afterAll(() => rmSync(shimDir, { recursive: true, force: true }));
const log = join(shimDir, 'calls');
const socket = join(shimDir, "a b $(touch pwned) it's", 'tmux.sock');
// A tmux that knows one session, on one server: the agent's socket.
writeFileSync(join(shimDir, 'tmux'), `#!/bin/sh
printf '%s|' "$@" >> "${log}"; echo >> "${log}"
[ "$1" = "-S" ] && [ "$2" = "$SHIM_SOCKET" ] && exit 0
exit 1
`);
chmodSync(join(shimDir, 'tmux'), 0o755);

const quoted = `'${socket.replace(/'/g, `'\\''`)}'`;
const task = {
  id: 'tsk_0000attach001', status: 'running', workspace: 'local', team: 'core',
  attach: { tmuxSession: 'sy-tsk_0000attach001', command: `tmux -S ${quoted} attach -t sy-tsk_0000attach001` },
};

function ctxWith(env: Record<string, string>) {
  const f = fakeIo({ env: { PATH: `${shimDir}:/usr/bin:/bin`, SHIM_SOCKET: socket, ...env } });
  const client = { tasks: { get: async () => task }, workspaces: { get: async () => null } } as unknown as Client;
  const ctx: Ctx = { io: f.io, target: () => ({ url: 'http://x', token: 't' }) as never, client: () => client, color: false };
  return { ctx, ...f };
}

describe('switchyard task attach', () => {
  it('probes and attaches on the socket the API names, as plain arguments', async () => {
    const { ctx } = ctxWith({});
    const code = await attachCommand.run(ctx, { path: 'task attach', args: [task.id], flags: new Flags({}), output: 'table' });
    expect(code).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe(
      `-S|${socket}|has-session|-t|=sy-tsk_0000attach001|\n-S|${socket}|attach-session|-t|=sy-tsk_0000attach001|\n`,
    );
  });
});
