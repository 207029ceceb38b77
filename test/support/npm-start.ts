import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, waitFor } from './agent.ts';
import { freePort } from './redis.ts';

/** One `npm start`, as a user runs it, on its own data dir and port. */
export interface NpmStart extends NpmStartProcess {
  /** fetch with the admin token; `json` becomes the body. */
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  /** Pids of the processes whose command line names the data dir and `what` (e.g. redis-server). */
  pidsOf(what: string): number[];
  /** Ctrl-C to the process group, then SIGKILL what is left; removes the data dir. */
  stop(): Promise<void>;
}

/** A started `npm start`: its process, data dir, port and everything it printed. */
export interface NpmStartProcess {
  proc: ChildProcess;
  dataDir: string;
  port: number;
  url: string;
  log(): string;
}

/** Spawns `npm start` exactly as a user runs it, on its own data dir and port; does not wait. */
export async function spawnNpmStart(): Promise<NpmStartProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-start-'));
  const port = await freePort();
  const proc = spawn('npm', ['start'], {
    cwd: REPO,
    env: { ...process.env, SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_PORT: String(port), REDIS_URL: '', SWITCHYARD_CLAUDE_BIN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  proc.stdout!.on('data', (b: Buffer) => (log += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  return { proc, dataDir, port, url: `http://127.0.0.1:${port}`, log: () => log };
}

/**
 * Processes (other than this one) whose command line or environment names `dataDir`, and whose
 * command line names `what`: Redis, the API, the agent, the watchdogs.
 */
export function processesUsing(dataDir: string, what = ''): { pid: number; args: string }[] {
  const found: { pid: number; args: string }[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (args && args.includes(what) && (args.includes(dataDir) || readFileSync(`/proc/${pid}/environ`, 'utf8').includes(dataDir))) {
        found.push({ pid: Number(pid), args });
      }
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** A process as /proc shows it: its command line and the NODE_OPTIONS it was started with. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  args: string;
  nodeOptions: string;
}

function readProcess(pid: number): ProcessInfo | null {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const nodeOptions = env.find((e) => e.startsWith('NODE_OPTIONS='))?.slice('NODE_OPTIONS='.length) ?? '';
    return { pid, ppid, args, nodeOptions };
  } catch {
    return null; // gone meanwhile, or not ours to read
  }
}

/**
 * Every process `npm start` runs on `dataDir`: those that name it (npm, start.mjs, Redis, the
 * API, the agent, its tmux server) and all their descendants (each turn's runner and claude).
 */
export function processTreeOf(dataDir: string): ProcessInfo[] {
  const all = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .map((p) => readProcess(Number(p)))
    .filter((p): p is ProcessInfo => p !== null);
  const pids = new Set(processesUsing(dataDir).map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) if (pids.has(p.ppid) && !pids.has(p.pid)) (pids.add(p.pid), (grew = true));
  }
  return all.filter((p) => pids.has(p.pid));
}

/** Starts `npm start` and resolves once the local workspace is ready. */
export async function npmStart(): Promise<NpmStart> {
  const started = await spawnNpmStart();
  const { proc, dataDir, url } = started;
  let token = '';
  const inst: NpmStart = {
    ...started,
    call(path, init = {}) {
      const { json, ...rest } = init;
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      return fetch(`${url}${path}`, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    },
    pidsOf: (what) => processesUsing(dataDir, what).map((p) => p.pid),
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        process.kill(-proc.pid!, 'SIGINT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
      }
      for (const pid of inst.pidsOf('')) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await waitFor(async () => (await fetch(`${url}/readyz`)).ok, 120_000, `npm start on ${started.port} ready; log:\n${started.log()}`);
  token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  await waitFor(async () => ((await (await inst.call('/v1/workspaces/local')).json()) as { ready: boolean }).ready, 60_000, 'local workspace ready');
  return inst;
}
