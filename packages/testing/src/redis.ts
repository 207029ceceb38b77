import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the kernel starts picking the local ports of outgoing connections (Linux: 32768). */
function ephemeralStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (low) return low;
  } catch {
    // Not Linux: the IANA range.
  }
  return 49152;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a server a test starts next. Chosen at
 * random below the ephemeral range: a port the kernel handed out (`listen(0)`) is one it hands
 * to outgoing connections too, and with the suites' thousands of connections one could take it
 * before the server bound it (redis-server then exits, and a restart on the same port fails).
 */
export async function freePort(): Promise<number> {
  const high = Math.min(ephemeralStart(), 32_768);
  const low = Math.max(1_024, high - 12_000);
  for (let i = 0; i < 100; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${low} and ${high}`);
}

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** kill -9: Redis dies mid-work; its append-only file stays. */
  crash(): Promise<void>;
  /** Starts it again on the same port from its append-only file, or with nothing when `empty`. */
  restart(opts?: { empty?: boolean }): Promise<void>;
}

export interface RedisOptions {
  /** Keep an append-only file, as production runs it (default); off for throwaway unit tests. */
  appendonly?: boolean;
}

function spawnRedis(port: number, dir: string, appendonly: boolean): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  args.push('--appendonly', appendonly ? 'yes' : 'no', '--maxmemory-policy', 'noeviction');
  const proc: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise<ChildProcess>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
    proc.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(proc);
      }
    });
    proc.on('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
}

async function signal(proc: ChildProcess, sig: NodeJS.Signals): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(sig);
  await exited;
}

/** A real redis-server on a free port with its own data dir. */
export async function startRedis(opts: RedisOptions = {}): Promise<RedisServer> {
  const appendonly = opts.appendonly ?? true;
  const dir = mkdtempSync(join(tmpdir(), 'sy-redis-'));
  // A port taken between the check and redis-server's bind: it exits, and another port is tried.
  let port = await freePort();
  let proc = await spawnRedis(port, dir, appendonly).catch(async () => spawnRedis((port = await freePort()), dir, appendonly));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await signal(proc, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    crash: () => signal(proc, 'SIGKILL'),
    async restart({ empty = false } = {}) {
      if (empty) for (const f of readdirSync(dir)) rmSync(join(dir, f), { recursive: true, force: true });
      proc = await spawnRedis(port, dir, appendonly);
    },
  };
}
