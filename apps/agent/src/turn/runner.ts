/**
 * The process tmux runs for one turn. tmux starts it in the agent's own directory; it changes to
 * the workdir itself (so no user text ever reaches a tmux command line, where `#(…)` and `#{…}`
 * would be expanded), spawns claude with an argument array and exactly the environment in the
 * spec (the prompt is in the spec file, never on a shell line), appends its stdout verbatim to
 * output.jsonl, keeps stderr, renders a readable view to the pane for whoever attaches, and
 * writes exit.json when claude ends — or with the reason, whatever kept claude from starting.
 * `bin/switchyard-runner.js <spec.json>` calls `main`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeJsonAtomic, type ExitRecord, type RunnerSpec } from './layout.ts';
import { createPane, type Pane } from './pane.ts';
import { SPARE_FLAG, waitForSpec } from './spare-wait.ts';
import { truncationMarker } from './truncate.ts';
import { resolveWorkdir } from './workdir.ts';

/** Whether a line is claude's final `result` event, which says how the turn ended and what it cost. */
function isResult(line: string): boolean {
  if (!line.startsWith('{') || !line.includes('"result"')) return false;
  try {
    return (JSON.parse(line) as { type?: unknown }).type === 'result';
  } catch {
    return false;
  }
}

/**
 * Appends claude's stdout lines to output.jsonl within the spec's limits, in one write per
 * chunk, and queues them for the pane (shown later, never in the way of storing). Past the
 * output limit one marker line stands for what was left out, but the final `result` still
 * follows it: without it the turn's verdict, cost and limits would be guessed from the exit code.
 */
function outputWriter(spec: RunnerSpec, out: number, pane: Pane) {
  let written = 0;
  let truncated = false;
  return function appendLines(lines: string[]): void {
    let chunk = '';
    for (const line of lines) {
      const text = Buffer.byteLength(line) > spec.maxLineBytes ? truncationMarker(line) : line;
      const bytes = Buffer.byteLength(text) + 1;
      if (!truncated && written + bytes > spec.maxOutputBytes) {
        truncated = true;
        chunk += `${JSON.stringify({ type: 'switchyard', subtype: 'output_truncated', limitBytes: spec.maxOutputBytes })}\n`;
      }
      if (truncated && !isResult(text)) continue;
      chunk += `${text}\n`;
      written += bytes;
      pane.line(text);
    }
    if (chunk) writeSync(out, chunk);
  };
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The spec, checked for the fields the runner uses; throws saying what is wrong. */
function readSpec(specFile: string): RunnerSpec {
  const spec = JSON.parse(readFileSync(specFile, 'utf8')) as RunnerSpec;
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  const ok =
    typeof spec?.claudeBin === 'string' && strings(spec.args) && typeof spec.workdir === 'string' && strings(spec.roots) &&
    typeof spec.env === 'object' && spec.env !== null && typeof spec.paths?.output === 'string';
  if (!ok) throw new Error('it lacks claudeBin, args, workdir, roots, env or paths');
  return spec;
}

/** Writes exit.json once, closes the files, tells the pane, and ends the runner. */
function finisher(exitFile: string, fds: number[], pane: Pane) {
  let done = false;
  return function finish(record: Omit<ExitRecord, 'endedAt'>): void {
    if (done) return;
    done = true;
    writeJsonAtomic(exitFile, { ...record, endedAt: Date.now() } satisfies ExitRecord);
    for (const fd of fds) closeSync(fd);
    const how = record.spawnError ?? (record.signal ? `signal ${record.signal}` : `exit code ${record.exitCode}`);
    pane.text(`\n── switchyard: claude ended (${how}) ──\n`);
    pane.close();
    process.exit(0);
  };
}

/**
 * Enters the workdir (its real path checked against the roots again: it may have changed since
 * the agent looked) and spawns claude. Throws whatever keeps claude from starting: a NUL in an
 * argument or the environment, a workdir gone or outside the roots.
 */
function spawnClaude(spec: RunnerSpec): ChildProcess {
  const where = resolveWorkdir(spec.workdir, spec.roots);
  if ('problem' in where) throw new Error(where.problem);
  process.chdir(where.real);
  return spawn(spec.claudeBin, spec.args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: where.real, env: spec.env });
}

/**
 * Runs claude as the spec in `specFile` says, until it ends; then exits the process. Given
 * `--spare <socket> [agentPid]`, it first waits, already started, for the agent to send a spec's
 * path (see spare-wait.ts).
 */
export function main(specFile: string | undefined = process.argv[2], socket: string | undefined = process.argv[3], agentPid: string | undefined = process.argv[4]): void {
  if (specFile === SPARE_FLAG && socket) return waitForSpec(socket, (file) => main(file), Number(agentPid) || undefined);
  if (!specFile || specFile === SPARE_FLAG) {
    process.stderr.write('usage: switchyard-runner <spec.json> | --spare <socket> [agentPid]\n');
    process.exit(2);
  }
  const pane = createPane();
  let spec: RunnerSpec;
  try {
    spec = readSpec(specFile);
  } catch (err) {
    // exit.json lies beside spec.json; the agent reports the turn as spawn_failed.
    return finisher(join(dirname(specFile), 'exit.json'), [], pane)({ exitCode: null, signal: null, spawnError: `the runner could not read its spec ${specFile}: ${message(err)}` });
  }
  // claude's environment holds its credentials: once read, it is not left lying in the spec.
  try {
    writeJsonAtomic(specFile, { ...spec, env: {} });
  } catch {
    // a spec we cannot rewrite is still a spec we can run
  }
  let fds: number[];
  try {
    fds = [openSync(spec.paths.output, 'a'), openSync(spec.paths.stderr, 'a')];
  } catch (err) {
    return finisher(spec.paths.exit, [], pane)({ exitCode: null, signal: null, spawnError: `the runner could not open its output: ${message(err)}` });
  }
  const finish = finisher(spec.paths.exit, fds, pane);
  pane.text(`── switchyard: ${spec.claudeBin} (${spec.args.length} arguments) ──\n`);
  let child: ChildProcess;
  try {
    child = spawnClaude(spec);
  } catch (err) {
    return finish({ exitCode: null, signal: null, spawnError: `claude could not be started: ${message(err)}` });
  }
  child.on('error', (e) => finish({ exitCode: null, signal: null, spawnError: e.message }));
  if (child.pid) writeJsonAtomic(spec.paths.pid, { pid: child.pid, runnerPid: process.pid });
  follow(child, spec, fds, finish, pane);
}

/** Copies claude's output to the files and the pane, and finishes once it ended and said all. */
function follow(child: ChildProcess, spec: RunnerSpec, [out, err]: number[], finish: ReturnType<typeof finisher>, pane: Pane): void {
  const appendLines = outputWriter(spec, out!, pane);
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    appendLines(lines);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    writeSync(err!, chunk);
    pane.text(chunk.toString('utf8'));
  });
  let stdoutDone = false;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const maybeFinish = (): void => {
    if (!stdoutDone || !exited) return;
    if (partial) appendLines([partial]);
    finish({ exitCode: exited.code, signal: exited.signal });
  };
  child.stdout!.on('end', () => {
    stdoutDone = true;
    maybeFinish();
  });
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    maybeFinish();
  });
  // tmux kill-session sends SIGHUP; a kill sends SIGINT to claude itself. Pass them on.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => child.kill(sig));
  }
}
