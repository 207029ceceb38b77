/**
 * The runner's side of a spare: started ahead of any lease (a Node start costs more than the
 * whole way to claude's first line should), it listens on a unix socket in the agent's private
 * dir and waits for one line, the path of a spec the agent wrote, then runs that turn.
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';

export const SPARE_FLAG = '--spare';
/** The runner's answer once it took a spec: from here on the turn is its own. */
export const SPARE_TOOK = 'took';

/** How often a waiting spare checks that the agent that started it still runs. */
const AGENT_CHECK_MS = 1_000;

/**
 * Waits on `socket` for a spec's path and runs it. Ends by itself once the agent (`agentPid`) is
 * gone without handing it one: an agent killed outright leaves no spare behind.
 */
/**
 * Closes this spare's tmux pane, which would otherwise stay (remain-on-exit) with no agent to
 * close it. The socket and the pane id are tmux's own ($TMUX, $TMUX_PANE), no text of anyone's.
 */
function closeOwnPane(): void {
  const socket = process.env.TMUX?.split(',')[0];
  const pane = process.env.TMUX_PANE;
  if (!socket || !pane) return;
  try {
    execFileSync('tmux', ['-S', socket, 'kill-pane', '-t', pane], { stdio: 'ignore', timeout: 5_000 });
  } catch {
    // the pane stays until an agent starts here again
  }
}

export function waitForSpec(socket: string, run: (specFile: string) => void, agentPid?: number): void {
  let taken = false;
  const watch = agentPid
    ? setInterval(() => {
        try {
          process.kill(agentPid, 0);
        } catch {
          rmSync(socket, { force: true });
          closeOwnPane();
          process.exit(0);
        }
      }, AGENT_CHECK_MS)
    : null;
  const server = createServer((conn) => {
    let text = '';
    conn.setEncoding('utf8');
    conn.on('error', () => undefined);
    conn.on('data', (chunk: string) => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl < 0 || taken) return;
      taken = true;
      if (watch) clearInterval(watch);
      server.close();
      rmSync(socket, { force: true });
      conn.end(`${SPARE_TOOK}\n`);
      run(text.slice(0, nl));
    });
  });
  server.on('error', (err) => {
    process.stderr.write(`switchyard-runner: the spare cannot listen on ${socket}: ${err.message}\n`);
    process.exit(1);
  });
  rmSync(socket, { force: true });
  server.listen(socket);
}
