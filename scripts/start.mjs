#!/usr/bin/env node
// `npm start`: everything a developer needs on one machine — an embedded Redis, the API and a
// local agent — from a fresh clone. Dependency-free until prepare() has installed the rest.
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';
import { buildDashboard } from './build-dashboard.mjs';
import { prepare } from './prepare.mjs';
import { freePort, portFree, redisPing, until } from './start/net.mjs';
import { createSupervisor, pretty } from './start/supervisor.mjs';
import { API_HEAP_MB, apiHeapArgs } from './api-node.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const env = (name) => (process.env[name] ? process.env[name] : undefined);

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`npm start — Redis, the Switchyard API and a local agent on this machine

  SWITCHYARD_PORT       API port (7700)
  SWITCHYARD_HOST       API interface (127.0.0.1)
  SWITCHYARD_API_HEAP_MB  the API's V8 heap cap in MiB (160; for a fleet, 128 + 0.1 per workspace)
  SWITCHYARD_DATA_DIR   data dir: SQLite, admin-token, Redis data, agent state (./.switchyard)
  REDIS_URL             use this Redis instead of starting one
  SWITCHYARD_CLAUDE_BIN the claude binary for the local agent (default: claude on PATH,
                        else claude-sim with a loud warning)
  SWITCHYARD_WORKDIR_ROOTS  where the local agent may run tasks, ':'-separated
                        (default: your home, /tmp, the OS temp dir and this repo)
  SWITCHYARD_LOG_LEVEL  fatal, error, warn, info, debug, trace (info)
  An empty variable counts as unset.

Options (after \`npm start --\`):
  --verbose             also show Redis's own log
  --help, -h            this text

Files in the data dir: admin-token and agent-token (mode 0600; never printed),
switchyard.db (SQLite), redis/ and redis.sock (the embedded Redis), agent/ (agent state).

Ctrl-C stops everything.
`);
  process.exit(0);
}

const verbose = process.argv.includes('--verbose');
prepare();
try {
  buildDashboard();
} catch (err) {
  process.stderr.write(`warning: ${err.message}\nThe API starts anyway; its page at / says how to build the dashboard.\n`);
}
// The API, the agent, its runner and claude-sim run as bundles (apps/*/dist): built when stale.
try {
  const built = await build();
  if (built.length) process.stdout.write(`built ${built.join(', ')}\n`);
} catch (err) {
  process.stderr.write(`npm start: the build failed (its errors are above): ${err.message.split('\n')[0]}\n`);
  process.exit(1);
}

const dataDir = resolve(ROOT, env('SWITCHYARD_DATA_DIR') ?? '.switchyard');
const port = Number(env('SWITCHYARD_PORT') ?? 7700);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write(`SWITCHYARD_PORT=${process.env.SWITCHYARD_PORT} is not a port number (1-65535)\n`);
  process.exit(1);
}
const host = env('SWITCHYARD_HOST') ?? '127.0.0.1';
// V8 collects lazily under load: without a cap the API's RSS climbs past 300 MB while its live
// heap stays near 30 MB. A fleet needs more: 128 MiB and 0.1 MiB per workspace.
const apiHeapMb = Number(env('SWITCHYARD_API_HEAP_MB') ?? API_HEAP_MB);
if (!Number.isInteger(apiHeapMb) || apiHeapMb < 64) {
  process.stderr.write(`SWITCHYARD_API_HEAP_MB=${process.env.SWITCHYARD_API_HEAP_MB} is not a heap size in MiB (64 or more)\n`);
  process.exit(1);
}
const localHost = ['0.0.0.0', '::', '[::]'].includes(host) ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
const apiUrl = `http://${localHost}:${port}`;
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
try {
  // It holds the tokens: owner only, also when it existed before.
  chmodSync(dataDir, 0o700);
} catch (err) {
  process.stderr.write(`warning: could not make ${dataDir} private (mode 0700): ${err.message}\n`);
}
/** Single-quoted for a POSIX shell when it needs quoting. */
const shq = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

const supervisor = createSupervisor({ cwd: ROOT, verbose });
const { startChild, shutdown } = supervisor;
const stopping = () => supervisor.isStopping();

async function startRedis() {
  const redisDir = join(dataDir, 'redis');
  mkdirSync(redisDir, { recursive: true, mode: 0o700 });
  const sock = join(dataDir, 'redis.sock');
  // Unix socket paths are limited to about 104 bytes; a deep data dir falls back to TCP.
  const useSocket = Buffer.byteLength(sock) < 100;
  if (useSocket && existsSync(sock) && (await redisPing({ path: sock }))) {
    throw new Error(`a Redis already answers on ${sock}: another npm start uses ${dataDir}. Stop it, or set SWITCHYARD_DATA_DIR`);
  }
  const target = useSocket ? { path: sock } : { port: await freePort() };
  const listen = useSocket
    ? ['--port', '0', '--unixsocket', sock, '--unixsocketperm', '700']
    : ['--port', String(target.port), '--bind', '127.0.0.1'];
  const child = startChild(
    'redis',
    'redis-server',
    ['--dir', redisDir, '--appendonly', 'yes', '--maxmemory-policy', 'noeviction', '--save', '', '--daemonize', 'no', '--protected-mode', 'yes', ...listen],
    process.env,
    // A Redis that dies is started again on the same socket or port, from its append-only file;
    // the API and the agent ride through the gap as they do with an external Redis.
    { quiet: true, restart: true },
  );
  try {
    await until('redis-server', 10_000, () => redisPing(target), stopping);
  } catch (err) {
    process.stderr.write(`${err.message}. Its log:\n${child.tail.join('\n')}\n`);
    await shutdown(1);
  }
  return useSocket ? `unix://${sock}` : `redis://127.0.0.1:${target.port}`;
}

async function main() {
  if (!(await portFree(port, host))) {
    process.stderr.write(`port ${port} on ${host} is taken (another Switchyard?). Stop it or set SWITCHYARD_PORT.\n`);
    process.exit(1);
  }
  const redisUrl = env('REDIS_URL') ?? (await startRedis());
  const childEnv = { ...process.env };
  delete childEnv.SWITCHYARD_CLAUDE_BIN;
  if (env('SWITCHYARD_CLAUDE_BIN')) childEnv.SWITCHYARD_CLAUDE_BIN = env('SWITCHYARD_CLAUDE_BIN');

  // The bundles `build()` made: plain node, source maps for the stack traces.
  const node = ['--enable-source-maps'];
  startChild('api', process.execPath, [...node, ...apiHeapArgs(apiHeapMb), 'apps/api/dist/main.js'], {
    ...childEnv,
    SWITCHYARD_DATA_DIR: dataDir,
    REDIS_URL: redisUrl,
    SWITCHYARD_PORT: String(port),
    SWITCHYARD_HOST: host,
    SWITCHYARD_BOOTSTRAP_LOCAL: '1',
  });
  const apiReady = async () => {
    try {
      return (await fetch(`${apiUrl}/readyz`)).ok;
    } catch {
      return false;
    }
  };
  await until('the API', 60_000, apiReady, stopping);
  if (stopping()) return;
  startChild('agent', process.execPath, [...node, 'apps/agent/dist/main.js'], {
    ...childEnv,
    SWITCHYARD_URL: apiUrl,
    SWITCHYARD_AGENT_TOKEN_FILE: join(dataDir, 'agent-token'),
    SWITCHYARD_AGENT_DIR: join(dataDir, 'agent'),
    SWITCHYARD_SIM_FALLBACK: '1',
    SWITCHYARD_WORKDIR_ROOTS: env('SWITCHYARD_WORKDIR_ROOTS') ?? [...new Set([homedir(), '/tmp', tmpdir(), ROOT])].join(':'),
  });

  if (stopping()) return;
  const tokenFile = join(dataDir, 'admin-token');
  const token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '';
  let ws = null;
  try {
    const agentRegistered = async () => {
      const res = await fetch(`${apiUrl}/v1/workspaces/local`, { headers: { authorization: `Bearer ${token}` } });
      ws = res.ok ? await res.json() : null;
      return Boolean(ws?.agent);
    };
    await until('the local agent', 30_000, agentRegistered, stopping);
  } catch {
    // reported below
  }
  const lines = [
    '',
    `Switchyard is up at ${apiUrl}  (API reference: ${apiUrl}/v1/docs)`,
    `Dashboard: ${apiUrl}/  (sign in with the admin token)`,
    `Admin token: in ${tokenFile} (mode 0600; never printed)`,
    '',
    `  TOKEN=$(cat ${shq(tokenFile)})`,
    `  curl -s -X POST ${apiUrl}/v1/tasks -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
    `    -d '{"workspace":"local","prompt":"Say hello","workdir":"/tmp"}'`,
    '',
  ];
  if (!ws?.agent) lines.push('!!! the local agent has not registered yet; see the agent lines above');
  else if (ws.agent.simulated) lines.push('!!! The local agent runs claude-sim (no logged-in claude found): answers are scripted, not Claude.', '!!! Log in with `claude`, or set SWITCHYARD_CLAUDE_BIN, and restart.');
  if (ws && !ws.ready) lines.push(`!!! workspace local is not ready: ${(ws.problems ?? []).join('; ') || 'see the agent lines above'}`);
  lines.push('Ctrl-C to stop.', '');
  if (!stopping()) process.stdout.write(lines.join('\n'));
}

main().catch(async (err) => {
  if (stopping()) return;
  process.stderr.write(`npm start failed: ${err.message}\n`);
  for (const c of supervisor.children) process.stderr.write(`--- ${c.name}:\n${c.tail.map(pretty).join('\n')}\n`);
  await shutdown(1);
});
