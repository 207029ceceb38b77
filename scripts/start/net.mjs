// Small network checks for `npm start`, dependency-free.
import { connect, createServer } from 'node:net';

/** True when `p` can be listened on at `host`. */
export function portFree(p, host) {
  return new Promise((resolveFree) => {
    const srv = createServer();
    srv.once('error', () => resolveFree(false));
    srv.listen(p, host, () => srv.close(() => resolveFree(true)));
  });
}

export async function freePort() {
  return new Promise((resolvePort) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address();
      srv.close(() => resolvePort(p));
    });
  });
}

/** PINGs a Redis at `{ path }` or `{ port }` on loopback; true on PONG. */
export function redisPing(target) {
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

/** Polls `check` until it holds, `ms` at most; returns early once `cancelled()` is true. */
export async function until(what, ms, check, cancelled = () => false) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cancelled()) return;
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up within ${ms / 1000}s`);
}
