/**
 * The process tmux runs for one turn. It spawns claude with an argument array (the prompt is
 * in the spec file, never on a shell line), appends its stdout verbatim to output.jsonl, keeps
 * stderr, renders a readable view to the pane for whoever attaches, and writes exit.json when
 * claude ends. `bin/switchyard-runner.js <spec.json>` calls `main`.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { renderLine } from '@switchyard/core';
import { writeJsonAtomic, type ExitRecord, type RunnerSpec } from './layout.ts';

/** Appends claude's stdout lines to output.jsonl within the spec's limits, and shows them. */
function outputWriter(spec: RunnerSpec, out: number) {
  let written = 0;
  let truncated = false;
  return function appendLine(line: string): void {
    if (truncated) return;
    let text = line;
    if (Buffer.byteLength(text) > spec.maxLineBytes) {
      text = JSON.stringify({ type: 'switchyard', subtype: 'line_truncated', bytes: Buffer.byteLength(line), head: line.slice(0, 1024) });
    }
    const bytes = Buffer.byteLength(text) + 1;
    if (written + bytes > spec.maxOutputBytes) {
      truncated = true;
      writeSync(out, `${JSON.stringify({ type: 'switchyard', subtype: 'output_truncated', limitBytes: spec.maxOutputBytes })}\n`);
      return;
    }
    writeSync(out, `${text}\n`);
    written += bytes;
    for (const shown of renderLine(text)) process.stdout.write(`${shown}\n`);
  };
}

/** Runs claude as the spec in `specFile` says, until it ends; then exits the process. */
export function main(specFile: string | undefined = process.argv[2]): void {
  if (!specFile) {
    process.stderr.write('usage: switchyard-runner <spec.json>\n');
    process.exit(2);
  }
  const spec = JSON.parse(readFileSync(specFile, 'utf8')) as RunnerSpec;
  const out = openSync(spec.paths.output, 'a');
  const err = openSync(spec.paths.stderr, 'a');
  const appendLine = outputWriter(spec, out);

  function finish(record: Omit<ExitRecord, 'endedAt'>): void {
    writeJsonAtomic(spec.paths.exit, { ...record, endedAt: Date.now() } satisfies ExitRecord);
    closeSync(out);
    closeSync(err);
    const how = record.spawnError ?? (record.signal ? `signal ${record.signal}` : `exit code ${record.exitCode}`);
    process.stdout.write(`\n── switchyard: claude ended (${how}) ──\n`);
    process.exit(0);
  }

  process.stdout.write(`── switchyard: ${spec.claudeBin} (${spec.args.length} arguments) ──\n`);
  const child = spawn(spec.claudeBin, spec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.on('error', (e) => finish({ exitCode: null, signal: null, spawnError: e.message }));
  if (child.pid) writeJsonAtomic(spec.paths.pid, { pid: child.pid, runnerPid: process.pid });

  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) appendLine(line);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    writeSync(err, chunk);
    process.stdout.write(chunk);
  });
  let stdoutDone = false;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const maybeFinish = (): void => {
    if (!stdoutDone || !exited) return;
    if (partial) appendLine(partial);
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
