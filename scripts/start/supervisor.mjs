// The children of `npm start`: started in order, logged with their names, stopped in reverse
// order on Ctrl-C, SIGTERM or SIGHUP, and by their watchdogs if `npm start` itself is killed.
import { spawn } from 'node:child_process';
import { WATCHDOG } from './watchdog.mjs';

export const STOP_MS = { agent: 15_000, api: 10_000, redis: 10_000 };

function log(name, line) {
  process.stdout.write(`${name.padEnd(5)} | ${line}\n`);
}

/** pino JSON made readable: time, level, message, then the other fields. */
export function pretty(line) {
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


/** A restartable child that dies this often within RESTART_WINDOW_MS is given up on. */
export const MAX_RESTARTS = 5;
export const RESTART_WINDOW_MS = 60_000;

/**
 * Starts and stops the children. `cwd` is where they run; `verbose` shows quiet children too.
 * A child started with `restart` (Redis: it comes back from its append-only file, and the API
 * and agent ride through the gap) is started again when it dies, after a short backoff; any
 * other child that stops unexpectedly stops them all (exit code 1).
 */
export function createSupervisor({ cwd, verbose }) {
  const children = [];
  let stopping = false;

  function guard(child, { earlier = children, later = [] } = {}) {
    const wd = spawn(process.execPath, ['-e', WATCHDOG, String(child.proc.pid), String(STOP_MS[child.name] ?? 10_000)], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    wd.on('error', () => undefined);
    wd.stdin.on('error', () => undefined);
    wd.unref();
    // Children started later are stopped before this one.
    for (const c of earlier) c.watchdog?.stdin.write(`${child.proc.pid}\n`);
    for (const c of later) wd.stdin.write(`${c.proc.pid}\n`);
    child.watchdog = wd;
    child.exited.then(() => wd.kill('SIGKILL'));
  }

  function startChild(name, cmd, args, childEnv, { quiet = false, restart = false } = {}) {
    // A Ctrl-C that came while we waited: start nothing more.
    if (stopping) throw new Error('stopping');
    const child = spawnChild(name, cmd, args, childEnv, quiet);
    child.exited.then((how) => onExit(child, how, { cmd, args, childEnv, quiet, restart, crashes: [] }));
    if (child.proc.pid) guard(child);
    children.push(child);
    return child;
  }

  function spawnChild(name, cmd, args, childEnv, quiet) {
    // Own process group: Ctrl-C reaches only this script, which stops the children in order.
    const proc = spawn(cmd, args, { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
    return { name, proc, tail, exited: new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal }))) };
  }

  async function onExit(child, { code, signal }, spec) {
    if (stopping) return;
    const how = signal ?? `exit ${code}`;
    const lastLines = child.tail.map((l) => `  ${pretty(l)}`).join('\n');
    const now = Date.now();
    spec.crashes = [...spec.crashes.filter((t) => now - t < RESTART_WINDOW_MS), now];
    if (!spec.restart || spec.crashes.length > MAX_RESTARTS) {
      const given = spec.restart ? `, ${spec.crashes.length} times in ${RESTART_WINDOW_MS / 1000}s` : '';
      process.stderr.write(`\n${child.name} stopped unexpectedly (${how}${given}). Its last lines:\n${lastLines}\n`);
      return shutdown(1);
    }
    const wait = 250 * 2 ** (spec.crashes.length - 1);
    log(child.name, `stopped unexpectedly (${how}); starting it again in ${wait} ms (the others keep running)`);
    await new Promise((r) => setTimeout(r, wait));
    if (stopping) return;
    const again = spawnChild(child.name, spec.cmd, spec.args, spec.childEnv, spec.quiet);
    again.exited.then((h) => onExit(again, h, spec));
    const at = children.indexOf(child);
    children[at] = again;
    if (again.proc.pid) guard(again, { earlier: children.slice(0, at), later: children.slice(at + 1) });
    log(child.name, 'started again');
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

  return { children, startChild, shutdown, isStopping: () => stopping };
}
