#!/usr/bin/env node
// Makes a fresh clone runnable: Node version, npm dependencies, redis-server and tmux.
// Dependency-free on purpose: it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

function say(msg) {
  process.stdout.write(`prepare: ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`prepare: ${msg}\n`);
  process.exit(1);
}

export function onPath(cmd) {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(`Node ${process.versions.node} is too old: Switchyard needs Node >= 20.19 (https://nodejs.org)`);
  }
}

function installDependencies() {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  const fresh = existsSync(marker) && (!existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs);
  if (fresh) return;
  const args = existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  say(`installing dependencies (npm ${args[0]})…`);
  const r = spawnSync('npm', args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) fail(`npm ${args[0]} failed (exit ${r.status}); fix the error above and run again`);
}

function isDebian() {
  if (existsSync('/etc/debian_version')) return true;
  try {
    return /^ID(_LIKE)?=.*\b(debian|ubuntu)\b/m.test(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

const PACKAGES = { 'redis-server': 'redis-server', tmux: 'tmux', chromium: 'chromium' };

/** Installs missing system programs with apt-get when root on Debian/Ubuntu; otherwise says how. */
export function ensureSystem(commands) {
  const missing = commands.filter((c) => !onPath(c));
  if (missing.length === 0) return;
  const pkgs = missing.map((c) => PACKAGES[c] ?? c);
  const isRoot = process.getuid?.() === 0;
  if (isRoot && isDebian()) {
    say(`installing ${pkgs.join(', ')} with apt-get…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env });
    if (!install || install.status !== 0) fail(`apt-get could not install ${pkgs.join(' ')}; install them and run again`);
    const still = missing.filter((c) => !onPath(c));
    if (still.length) fail(`${still.join(', ')} still not on PATH after apt-get`);
    return;
  }
  const how = process.platform === 'darwin'
    ? [
        pkgs.some((p) => p !== 'chromium') && `brew install ${pkgs.filter((p) => p !== 'chromium').map((p) => (p === 'redis-server' ? 'redis' : p)).join(' ')}`,
        pkgs.includes('chromium') && 'brew install --cask chromium',
      ].filter(Boolean).join(' && ')
    : isDebian()
      ? `sudo apt-get install -y ${pkgs.join(' ')}`
      : `install ${pkgs.join(' and ')} with your package manager (e.g. dnf install redis tmux)`;
  fail(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing. Run:\n\n    ${how}\n\nthen run this command again.`);
}

export function prepare({ browser = false } = {}) {
  checkNode();
  ensureSystem(['redis-server', 'tmux', ...(browser ? ['chromium'] : [])]);
  installDependencies();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  prepare({ browser: process.argv.includes('--with-browser') });
}
