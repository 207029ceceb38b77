#!/usr/bin/env node
// `npm start`: everything a developer needs on one machine — an embedded Redis, the API and a
// local agent — from a fresh clone. Dependency-free until prepare() has installed the rest.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepare } from './prepare.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const env = (name) => (process.env[name] ? process.env[name] : undefined);

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`npm start — Redis, the Switchyard API and a local agent on this machine

  SWITCHYARD_PORT       API port (7700)
  SWITCHYARD_HOST       API interface (127.0.0.1)
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

const dataDir = resolve(ROOT, env('SWITCHYARD_DATA_DIR') ?? '.switchyard');
const port = Number(env('SWITCHYARD_PORT') ?? 7700);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write(`SWITCHYARD_PORT=${process.env.SWITCHYARD_PORT} is not a port number (1-65535)\n`);
  process.exit(1);
}
const host = env('SWITCHYARD_HOST') ?? '127.0.0.1';
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

const children = [];
let stopping = false;

function log(name, line) {
  process.stdout.write(`${name.padEnd(5)} | ${line}\n`);
}

/** pino JSON made readable: time, level, message, then the other fields. */
function pretty(line) {
  if (!line.startsWith('{')) return line;
  try {
    const { level, time, msg, app: _a, pid: _p, hostname: _h, ...rest } = JSON.parse(line);
    const lvl = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }[level] ?? level;
    const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
    return `${new Date(time).toISOString().slice(11, 19)} ${lvl} ${msg ?? ''}${extra ? `  ${extra}` : ''}`;
  } catch {
    return line;
  }
}

/**
 * The children run in their own process groups (so a terminal's Ctrl-C reaches only us and we
 * stop them in order), which means they would outlive us if we were killed outright (SIGKILL,
 * OOM). So each child gets a watchdog, in its own group too, holding a pipe from us. If our pipe
 * closes while the child runs, the watchdog waits until the children started after it are gone,
 * then stops it: SIGTERM, then SIGKILL — the order of shutdown(). Meanwhile the child's output
 * pipe has no reader left, so its writes fail with EPIPE instead of blocking (pino and Redis
 * both carry on). The watchdog must not hold a copy of that pipe: Node stops reading a stream in
 * the parent once it is handed to another child, and the console would go silent.
 */
const WATCHDOG = `
const { readFileSync } = require('node:fs');
const [pid, ms] = process.argv.slice(1).map(Number);
const later = new Set();
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => undefined);
const alive = (p) => {
  try { return readFileSync('/proc/' + p + '/stat', 'utf8').split(') ')[1][0] !== 'Z'; } catch {}
  try { process.kill(p, 0); return true; } catch { return false; }
};
const sleep = (t) => new Promise((r) => setTimeout(r, t));
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => {
  buf += c;
  for (let i; (i = buf.indexOf('\\n')) >= 0; buf = buf.slice(i + 1)) later.add(Number(buf.slice(0, i)));
});
process.stdin.on('end', async () => {
  for (let t = 0; t < 30000 && [...later].some(alive); t += 100) await sleep(100);
  if (alive(pid)) {
    try { process.kill(pid, 'SIGTERM'); } catch {}
    for (let t = 0; t < ms && alive(pid); t += 100) await sleep(100);
    try { process.kill(pid, 'SIGKILL'); } catch {}
  }
  process.exit(0);
});
`;
const STOP_MS = { agent: 15_000, api: 10_000, redis: 10_000 };

function guard(child) {
  const wd = spawn(process.execPath, ['-e', WATCHDOG, String(child.proc.pid), String(STOP_MS[child.name] ?? 10_000)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  wd.on('error', () => undefined);
  wd.stdin.on('error', () => undefined);
  wd.unref();
  // Children started later are stopped before this one.
  for (const c of children) c.watchdog?.stdin.write(`${child.proc.pid}\n`);
  child.watchdog = wd;
  child.exited.then(() => wd.kill('SIGKILL'));
}

function startChild(name, cmd, args, childEnv, { quiet = false } = {}) {
  // A Ctrl-C that came while we waited: start nothing more.
  if (stopping) throw new Error('stopping');
  // Own process group: Ctrl-C reaches only this script, which stops the children in order.
  const proc = spawn(cmd, args, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const tail = [];
  const onLine = (line) => {
    if (!line) return;
    tail.push(line);
    if (tail.length > 20) tail.shift();
    if (!quiet || verbose) log(name, pretty(line));
  };
  for (const stream of [proc.stdout, proc.stderr]) {
    // Whole lines only: a chunk may end mid-line (or mid-character).
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      lines.forEach(onLine);
    });
    stream.on('end', () => onLine(partial));
  }
  const child = { name, proc, tail, exited: new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal }))) };
  child.exited.then(({ code, signal }) => {
    if (stopping) return;
    process.stderr.write(`\n${name} stopped unexpectedly (${signal ?? `exit ${code}`}). Its last lines:\n${tail.map((l) => `  ${pretty(l)}`).join('\n')}\n`);
    shutdown(1);
  });
  if (proc.pid) guard(child);
  children.push(child);
  return child;
}

async function stopChild(child, ms) {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), ms);
  await child.exited;
  clearTimeout(timer);
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  if (children.length) process.stdout.write('\nstopping: agent, API, Redis…\n');
  const byName = (n) => children.find((c) => c.name === n);
  for (const name of ['agent', 'api', 'redis']) {
    const child = byName(name);
    if (child) await stopChild(child, STOP_MS[name]);
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
// The terminal closed: the children are in their own process groups and would outlive us.
process.on('SIGHUP', () => void shutdown(0));
// A closed stdout (e.g. `npm start | head`) must not crash us and orphan the children.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
process.on('exit', () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
});

function portFree(p) {
  return new Promise((resolveFree) => {
    const srv = createServer();
    srv.once('error', () => resolveFree(false));
    srv.listen(p, host, () => srv.close(() => resolveFree(true)));
  });
}

async function freePort() {
  return new Promise((resolvePort) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address();
      srv.close(() => resolvePort(p));
    });
  });
}

function redisPing(target) {
  return new Promise((resolvePing) => {
    const sock = target.path ? connect(target.path) : connect(target.port, '127.0.0.1');
    const done = (ok) => {
      sock.destroy();
      resolvePing(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('data', (b) => done(b.toString().startsWith('+PONG')));
    sock.once('connect', () => sock.write('*1\r\n$4\r\nPING\r\n'));
  });
}

async function until(what, ms, check) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (stopping) return;
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up within ${ms / 1000}s`);
}

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
    { quiet: true },
  );
  try {
    await until('redis-server', 10_000, () => redisPing(target));
  } catch (err) {
    process.stderr.write(`${err.message}. Its log:\n${child.tail.join('\n')}\n`);
    await shutdown(1);
  }
  return useSocket ? `unix://${sock}` : `redis://127.0.0.1:${target.port}`;
}

async function main() {
  if (!(await portFree(port))) {
    process.stderr.write(`port ${port} on ${host} is taken (another Switchyard?). Stop it or set SWITCHYARD_PORT.\n`);
    process.exit(1);
  }
  const redisUrl = env('REDIS_URL') ?? (await startRedis());
  const childEnv = { ...process.env };
  delete childEnv.SWITCHYARD_CLAUDE_BIN;
  if (env('SWITCHYARD_CLAUDE_BIN')) childEnv.SWITCHYARD_CLAUDE_BIN = env('SWITCHYARD_CLAUDE_BIN');

  const tsx = ['--import', 'tsx'];
  startChild('api', process.execPath, [...tsx, 'apps/api/src/main.ts'], {
    ...childEnv,
    SWITCHYARD_DATA_DIR: dataDir,
    REDIS_URL: redisUrl,
    SWITCHYARD_PORT: String(port),
    SWITCHYARD_HOST: host,
    SWITCHYARD_BOOTSTRAP_LOCAL: '1',
  });
  await until('the API', 60_000, async () => {
    try {
      return (await fetch(`${apiUrl}/readyz`)).ok;
    } catch {
      return false;
    }
  });
  if (stopping) return;
  startChild('agent', process.execPath, [...tsx, 'apps/agent/src/main.ts'], {
    ...childEnv,
    SWITCHYARD_URL: apiUrl,
    SWITCHYARD_AGENT_TOKEN_FILE: join(dataDir, 'agent-token'),
    SWITCHYARD_AGENT_DIR: join(dataDir, 'agent'),
    SWITCHYARD_SIM_FALLBACK: '1',
    SWITCHYARD_WORKDIR_ROOTS: env('SWITCHYARD_WORKDIR_ROOTS') ?? [...new Set([homedir(), '/tmp', tmpdir(), ROOT])].join(':'),
  });

  if (stopping) return;
  const tokenFile = join(dataDir, 'admin-token');
  const token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '';
  let ws = null;
  try {
    await until('the local agent', 30_000, async () => {
      const res = await fetch(`${apiUrl}/v1/workspaces/local`, { headers: { authorization: `Bearer ${token}` } });
      ws = res.ok ? await res.json() : null;
      return Boolean(ws?.agent);
    });
  } catch {
    // reported below
  }
  const lines = [
    '',
    `Switchyard is up at ${apiUrl}  (API reference: ${apiUrl}/v1/docs)`,
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
  if (!stopping) process.stdout.write(lines.join('\n'));
}

main().catch(async (err) => {
  if (stopping) return;
  process.stderr.write(`npm start failed: ${err.message}\n`);
  for (const c of children) process.stderr.write(`--- ${c.name}:\n${c.tail.map(pretty).join('\n')}\n`);
  await shutdown(1);
});
