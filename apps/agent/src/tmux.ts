import { run } from './exec.ts';

/** The few tmux operations the agent needs, each an argument array: nothing goes through a shell. */
export const tmux = {
  async version(bin = 'tmux'): Promise<string | null> {
    const r = await run(bin, ['-V']);
    return r.code === 0 ? r.stdout.trim() : null;
  },

  async has(session: string): Promise<boolean> {
    return (await run('tmux', ['has-session', '-t', `=${session}`])).code === 0;
  },

  /**
   * Starts `argv` in a detached session. Given more than one argument tmux execs it directly,
   * without `sh -c`. remain-on-exit is set in the same command list, before the process can end,
   * so the finished pane stays viewable until the agent closes it.
   */
  async start(session: string, cwd: string, argv: string[]): Promise<string | null> {
    const r = await run('tmux', [
      'new-session', '-d', '-s', session, '-c', cwd, '-x', '200', '-y', '50', ...argv,
      ';', 'set-option', '-t', `=${session}:`, 'remain-on-exit', 'on',
    ]);
    return r.code === 0 ? null : (r.error ?? (r.stderr.trim() || `tmux exited with ${r.code}`));
  },

  async kill(session: string): Promise<void> {
    await run('tmux', ['kill-session', '-t', `=${session}`]);
  },

  async capture(session: string): Promise<string> {
    return (await run('tmux', ['capture-pane', '-p', '-t', `=${session}:`])).stdout;
  },
};
