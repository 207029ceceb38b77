import { spawn, spawnSync } from 'node:child_process';
import { isTerminal } from '@switchyard/core';
import type { Command } from '../../command.ts';
import { attachPlan, tmuxSocketOf } from './attach-argv.ts';

export const attachCommand: Command = {
  name: 'attach',
  summary: "Attach to a running task's tmux pane (on its workspace's machine)",
  args: 'ID',
  minArgs: 1,
  maxArgs: 1,
  description: [
    "Every turn runs in tmux session sy-<id> on its workspace agent's own tmux server. When that session exists",
    "here, this runs 'tmux -S <socket> attach -t sy-<id>' (detach with Ctrl-b d; the task keeps running). Otherwise",
    'it prints the command and which workspace and host to run it on.',
  ].join('\n'),
  examples: [
    ['Watch the pane of a running task', 'switchyard task attach tsk_0abc123def'],
  ],
  async run(ctx, { args }) {
    const client = ctx.client();
    const task = await client.tasks.get(args[0]!);
    const { tmuxSession, command } = task.attach;
    const { io } = ctx;
    const tmux = 'tmux';
    // The socket of the agent's private server, read out of the shown command; never run by a shell.
    const plan = attachPlan(tmuxSession, tmuxSocketOf(command), Boolean(io.env.TMUX));
    const probe = spawnSync(tmux, plan.probe, { stdio: 'ignore', env: io.env });
    if (probe.status === 0) {
      // Inside tmux, attaching would nest sessions: on the same server switch the client instead.
      const env = plan.unsetTmux ? { ...io.env, TMUX: undefined } : io.env;
      return new Promise<number>((resolve) => {
        const child = spawn(tmux, plan.attach, { stdio: 'inherit', env });
        child.on('error', (err) => {
          io.stderr.write(`error: could not run ${tmux}: ${err.message}\n`);
          resolve(3);
        });
        child.on('exit', (code) => {
          if (code !== 0 && !io.stdin.isTTY) io.stderr.write(`switchyard: tmux needs a terminal; run '${command}' from one.\n`);
          resolve(code ?? 1);
        });
      });
    }
    if (isTerminal(task.status)) {
      io.stdout.write(`${task.id} is ${task.status}: its tmux session is gone. Read what it did with 'switchyard task logs ${task.id}'.\n`);
      return 0;
    }
    let host = '';
    if (task.workspace) {
      const ws = await client.workspaces.get(task.workspace).catch(() => null);
      if (ws?.agent) host = ` (agent host ${ws.agent.hostname})`;
    }
    const where = task.workspace ? `workspace ${task.workspace}${host}` : `a pool workspace of team ${task.team}, once it is placed`;
    const why = probe.error ? 'tmux is not installed here' : `no tmux session ${tmuxSession} on this machine`;
    io.stdout.write(`${task.id} is ${task.status} in ${where}; ${why}.\nOn that machine, run:\n  ${command}\n`);
    return 0;
  },
};
