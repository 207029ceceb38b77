/**
 * The real stack for a benchmark: a redis-server, the API as its own process (as `npm start`
 * runs it, so its CPU and memory are its own), and optionally the real agent with a given claude.
 */
import { closeSync, cpSync, fsyncSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnApiProcess, type ApiProcess } from '../../test/support/api.ts';
import { cleanupAgentDir, startAgent, waitFor, type TestAgent } from '../../test/support/agent.ts';
import { freePort, startRedis, type RedisServer } from '../../test/support/redis.ts';

export interface Stack {
  redis: RedisServer;
  api: ApiProcess;
  dataDir: string;
  agent: TestAgent | null;
  /** The API's resident memory now, in MiB (from /proc). */
  apiRssMiB(): number;
  /** The API's CPU time so far, in ms. */
  apiCpuMs(): number;
  /** Starts the agent (with `claudeBin` as its claude) and waits until the workspace is ready. */
  startAgent(claudeBin: string, slots?: number): Promise<TestAgent>;
  stop(): Promise<void>;
}

/** CPU time (user + system) the process has used, in ms, from /proc. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

/** Starts the stack; `seedDir` (a data dir with switchyard.db and its tokens) is copied first. */
/** `heapMB`: the API's heap cap (npm start's by default). */
export async function startStack(opts: { seedDir?: string; heapMB?: number } = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-bench-'));
  if (opts.seedDir) {
    cpSync(opts.seedDir, dataDir, { recursive: true });
    // The copy sits dirty in the page cache; SQLite's first checkpoint would fsync all of it
    // inside a request. A database that has been in service is on disk: flush it now.
    for (const f of readdirSync(dataDir)) {
      const fd = openSync(join(dataDir, f), 'r');
      fsyncSync(fd);
      closeSync(fd);
    }
  }
  const redis = await startRedis();
  const api = await spawnApiProcess({ redisUrl: redis.url, dataDir, port: await freePort(), prefix: 'bench',
    heapMB: opts.heapMB,
    // BENCH_PROFILE=<dir>: the API writes a V8 CPU profile there when it stops. BENCH_PRELOAD=<file>:
    // the API loads that script first (`--require`), e.g. a GC or allocation observer.
    nodeArgs: [
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
      ...(process.env.BENCH_PRELOAD ? ['--require', process.env.BENCH_PRELOAD] : []),
    ],
  });
  const stack: Stack = {
    redis,
    api,
    dataDir,
    agent: null,
    apiRssMiB: () => rssMiB(api.proc.pid!),
    apiCpuMs: () => cpuMs(api.proc.pid!),
    async startAgent(claudeBin, slots = 4) {
      const agent = startAgent({ url: api.url, tokenFile: api.agentTokenFile, slots, env: { SWITCHYARD_CLAUDE_BIN: claudeBin, SWITCHYARD_LOG_LEVEL: 'warn' } });
      stack.agent = agent;
      await waitFor(async () => ((await (await api.call('/v1/workspaces/local')).json()) as { ready?: boolean }).ready, 60_000, `the agent to be ready; its log:\n${agent.output()}`);
      return agent;
    },
    async stop() {
      if (stack.agent) {
        await stack.agent.stop();
        cleanupAgentDir(stack.agent.dir);
      }
      await api.stop();
      await redis.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}
