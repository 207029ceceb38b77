/**
 * The one module that knows how turns lie on disk. Under the agent's dir:
 *
 *   tasks/<taskId>/turns/<n>/            one turn of a task
 *     spec.json     what the runner starts (agent → runner)
 *     state.json    what the agent must not forget across a restart (ackSeq, kill, reported)
 *     output.jsonl  claude's stdout, appended by the runner, tailed by the agent
 *     stderr.log    claude's stderr
 *     claude.pid    claude's pid, for SIGINT
 *     exit.json     how claude ended, written once by the runner (or by the agent for it)
 *     mcp.json      the approval MCP server's config, when the turn may ask (#15)
 *   tasks/<taskId>/turns/<n>.attempt-<ms>/  an earlier attempt of the same turn, already stored
 *
 * JSON files are written whole or not at all (write a temp file, then rename).
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lease } from '@switchyard/core';

/** Where one turn of a task keeps its files. */
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
    /** The MCP config naming the approval server, when the turn may ask. */
    mcpConfig: join(root, 'mcp.json'),
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
  /** Where claude runs: the runner enters it itself, after checking its real path is under `roots`. */
  workdir: string;
  roots: string[];
  /** claude's whole environment, built from an allow-list; the runner adds nothing. */
  env: Record<string, string>;
}

export interface ExitRecord {
  exitCode: number | null;
  signal: string | null;
  endedAt: number;
  /** Why claude never ran (ENOENT…), or why the runner gave up. */
  spawnError?: string;
}

/** What survives an agent restart, in state.json beside the turn's output. */
export interface TurnState {
  lease: Lease;
  /** Highest seq the API acknowledged. */
  ackSeq: number;
  launchedAt: number;
  startedReported: boolean;
  killReason: string | null;
  killRequestedAt: number | null;
  reported: boolean;
  dropped: boolean;
  endedAt: number | null;
  /** Time spent waiting on approvals (closed waits), which the time limits do not count. */
  approvalWaitMs?: number;
  /** When the approval wait now open began; null or absent when none is. */
  approvalWaitingSince?: number | null;
  /** When the last approval wait ended. */
  approvalWaitEndedAt?: number | null;
}

/** A turn's state as it is launched: nothing acknowledged past its start, reported or killed. */
export function launchState(lease: Lease, launchedAt: number): TurnState {
  return {
    lease,
    ackSeq: lease.startSeq - 1,
    launchedAt,
    startedReported: false,
    killReason: null,
    killRequestedAt: null,
    reported: false,
    dropped: false,
    endedAt: null,
  };
}

type WriteFile = (file: string, data: string) => void;

/**
 * Write-then-rename, so a reader never sees half a file, even when the writer dies midway.
 * `write` is there for tests that tear a write.
 */
export function writeJsonAtomic(file: string, value: unknown, write: WriteFile = writeFileSync): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    write(tmp, JSON.stringify(value));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
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

/** The files of one turn. */
export class TurnFiles {
  readonly paths: TurnPaths;

  constructor(dir: string, taskId: string, turn: number) {
    this.paths = turnPaths(dir, taskId, turn);
  }

  /**
   * An empty directory for a new attempt. A retry of the same turn (after a rate limit or a
   * failed spawn) starts on a fresh file: the earlier attempt's output is already stored and
   * must not be shipped again, so it is moved aside.
   */
  /** Sets an earlier attempt aside (its output stays for the record; its spec, which held credentials, does not). */
  prepareFresh(now = Date.now()): void {
    if (existsSync(this.paths.root)) {
      this.removeSpec();
      renameSync(this.paths.root, `${this.paths.root}.attempt-${now}`);
    }
    ensureDir(this.paths.root);
  }

  readState(): TurnState | null {
    return readJson<TurnState>(this.paths.state);
  }

  writeState(state: TurnState, write?: WriteFile): void {
    writeJsonAtomic(this.paths.state, state, write);
  }

  /** Owner-only: the spec carries claude's environment, credentials included. */
  writeSpec(spec: RunnerSpec): void {
    writeJsonAtomic(this.paths.spec, spec, (file, data) => writeFileSync(file, data, { mode: 0o600 }));
  }

  removeSpec(): void {
    rmSync(this.paths.spec, { force: true });
  }

  readExit(): ExitRecord | null {
    return readJson<ExitRecord>(this.paths.exit);
  }

  hasExit(): boolean {
    return existsSync(this.paths.exit);
  }

  /** Records how the turn ended, unless the runner already did: its record wins. */
  recordExit(record: Omit<ExitRecord, 'endedAt'>, now = Date.now()): void {
    if (!this.hasExit()) writeJsonAtomic(this.paths.exit, { ...record, endedAt: now } satisfies ExitRecord);
  }

  /** claude's pid, once the runner has spawned it. */
  readPid(): number | null {
    return readJson<{ pid: number }>(this.paths.pid)?.pid ?? null;
  }

  /** Bytes in output.jsonl so far; null before the runner created it. */
  outputSize(): number | null {
    try {
      return statSync(this.paths.output).size;
    } catch {
      return null;
    }
  }

  /** The last `max` bytes of claude's stderr, or null when it wrote none. */
  stderrTail(max = 8192): string | null {
    try {
      const size = statSync(this.paths.stderr).size;
      if (size === 0) return null;
      const fd = openSync(this.paths.stderr, 'r');
      try {
        const len = Math.min(size, max);
        const buf = Buffer.alloc(len);
        readSync(fd, buf, 0, len, size - len);
        return buf.toString('utf8');
      } finally {
        closeSync(fd);
      }
    } catch {
      return null;
    }
  }
}

/**
 * A turn's state.json held in memory; every change is written through, atomically, so a new
 * agent process picks the turn up where this one stopped.
 */
export class TurnRecord {
  constructor(
    readonly files: TurnFiles,
    readonly state: TurnState,
  ) {}

  update(patch: Partial<TurnState>): void {
    Object.assign(this.state, patch);
    this.files.writeState(this.state);
  }
}

/** Every turn this agent has on disk, across tasks. */
export class AgentFiles {
  constructor(readonly dir: string) {}

  turnFiles(taskId: string, turn: number): TurnFiles {
    return new TurnFiles(this.dir, taskId, turn);
  }

  taskIds(): string[] {
    return list(join(this.dir, 'tasks'));
  }

  /** Every state.json on disk; the caller skips those already reported or dropped. */
  stateFiles(): string[] {
    const out: string[] = [];
    for (const task of this.taskIds()) {
      for (const n of list(this.turnsDir(task))) {
        const file = join(this.turnsDir(task), n, 'state.json');
        if (existsSync(file)) out.push(file);
      }
    }
    return out;
  }

  /** The state of each turn of a task (not earlier attempts); null where state.json is unreadable. */
  turnStates(taskId: string): (TurnState | null)[] {
    const dirs = readdirSync(this.turnsDir(taskId), { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.includes('.attempt-'));
    return dirs.map((d) => readJson<TurnState>(join(this.turnsDir(taskId), d.name, 'state.json')));
  }

  removeTask(taskId: string): void {
    rmSync(join(this.dir, 'tasks', taskId), { recursive: true, force: true });
  }

  private turnsDir(taskId: string): string {
    return join(this.dir, 'tasks', taskId, 'turns');
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

