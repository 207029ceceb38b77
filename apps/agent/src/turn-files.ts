import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where one turn of a task keeps its files, under <agent dir>/tasks/<taskId>/turns/<n>/. */
export function turnPaths(dir: string, taskId: string, turn: number) {
  const root = join(dir, 'tasks', taskId, 'turns', String(turn));
  return {
    root,
    spec: join(root, 'spec.json'),
    state: join(root, 'state.json'),
    output: join(root, 'output.jsonl'),
    stderr: join(root, 'stderr.log'),
    exit: join(root, 'exit.json'),
    pid: join(root, 'claude.pid'),
  };
}
export type TurnPaths = ReturnType<typeof turnPaths>;

/** What the runner needs to start claude: written by the agent, read by the runner. */
export interface RunnerSpec {
  claudeBin: string;
  args: string[];
  paths: TurnPaths;
  maxOutputBytes: number;
  maxLineBytes: number;
}

export interface ExitRecord {
  exitCode: number | null;
  signal: string | null;
  endedAt: number;
  /** Why claude never ran (ENOENT…), or why the runner gave up. */
  spawnError?: string;
}

/** Write-then-rename, so a reader never sees half a file, even across a crash. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}

export function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}
