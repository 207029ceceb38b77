import { join } from 'node:path';
import { run } from './exec.ts';

/**
 * The agent's own tmux server socket, in its dir. Every tmux call goes to it: on the default
 * server a session would join whatever server already runs (a developer's own) and get that
 * server's environment.
 */
export function tmuxSocketPath(agentDir: string): string {
  return join(agentDir, 'tmux.sock');
}

const SERVER_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TERM', 'TZ', 'TMPDIR'];

export async function tmuxVersion(bin = 'tmux'): Promise<string | null> {
  const r = await run(bin, ['-V']);
  return r.code === 0 ? r.stdout.trim() : null;
}

/**
 * The few tmux operations the agent needs, on its private server at `socket`, each an argument
 * array: nothing goes through a shell, and no user text reaches a tmux command line or format.
 */
export function createTmux(socket: string, env: NodeJS.ProcessEnv = process.env) {
  // The server takes the environment of the client that starts it: give it only what a shell
  // in the pane needs, so neither the agent token nor anything else of ours sits in it.
  const serverEnv = Object.fromEntries(SERVER_ENV.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
  const tmux = (args: string[]) => run('tmux', ['-S', socket, ...args], 10_000, serverEnv);
  return {
    socket,

    async has(session: string): Promise<boolean> {
      return (await tmux(['has-session', '-t', `=${session}`])).code === 0;
    },

    /**
     * Starts `argv` in a detached session in `cwd`, a fixed directory of the agent's (never a
     * task's workdir: tmux expands `#(…)` and `#{…}` in it). Given more than one argument tmux
     * execs it directly, without `sh -c`. remain-on-exit is set in the same command list, before
     * the process can end, so the finished pane stays viewable until the agent closes it.
     */
    async start(session: string, cwd: string, argv: string[]): Promise<string | null> {
      const r = await tmux([
        'new-session', '-d', '-s', session, '-c', cwd, '-x', '200', '-y', '50', ...argv,
        ';', 'set-option', '-t', `=${session}:`, 'remain-on-exit', 'on',
      ]);
      return r.code === 0 ? null : (r.error ?? (r.stderr.trim() || `tmux exited with ${r.code}`));
    },

    /** Gives session `from` the name `to`; the target is an argument, never a format. */
    async rename(from: string, to: string): Promise<boolean> {
      return (await tmux(['rename-session', '-t', `=${from}`, to])).code === 0;
    },

    async kill(session: string): Promise<void> {
      await tmux(['kill-session', '-t', `=${session}`]);
    },

    async capture(session: string): Promise<string> {
      return (await tmux(['capture-pane', '-p', '-t', `=${session}:`])).stdout;
    },

    async list(): Promise<string[]> {
      const r = await tmux(['list-sessions', '-F', '#{session_name}']);
      return r.code === 0 ? r.stdout.split('\n').filter(Boolean) : [];
    },
  };
}

export type Tmux = ReturnType<typeof createTmux>;
