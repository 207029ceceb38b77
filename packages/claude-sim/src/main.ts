/**
 * The `claude-sim` executable: wires the process (argv, env, stdio, signals) to runSim. Lives
 * apart from sim.ts so that only this file reads globals.
 */
import { readFileSync } from 'node:fs';
import { defaultStateDir } from './session-store.ts';
import { runSim } from './sim.ts';

// Like the real CLI: SIGINT ends with 130. SIGTERM and SIGHUP (tmux closing the pane) use the
// shell's 128 + signal. The sim starts no children, so exiting leaves nothing behind.
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
for (const [signal, code] of Object.entries(SIGNAL_EXIT))
  process.on(signal, () => process.exit(code));

// A reader that went away (`claude-sim ... | head`) ends the run, as SIGPIPE would end a C tool.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(141);
  throw err;
});

runSim({
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  stateDir: defaultStateDir(process.env),
  stdinIsTTY: process.stdin.isTTY === true,
  readStdin: () => readFileSync(0, 'utf8'),
  // Pipes and files take each write at once on Linux, so a tailer sees every line as it is made.
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  // Not process.exit(): output still queued for a slow pipe would be dropped.
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`claude-sim: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
