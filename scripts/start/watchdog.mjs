// The watchdog each child of `npm start` gets; see supervisor.mjs for why.

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
export const WATCHDOG = `
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
