#!/usr/bin/env node
// Builds the dashboard (apps/dashboard → apps/dashboard/dist, gitignored) when its build is
// missing or was made from other sources. The check hashes the sources it is built from (the
// app, packages/client, packages/core and the lockfile): a few hundred small files, a few ms.
// `npm start` calls this before it starts the API; the browser tests call it once per run.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const APP = join(ROOT, 'apps', 'dashboard');
export const DASHBOARD_DIST = join(APP, 'dist');
const SOURCES = [
  join(APP, 'src'),
  join(APP, 'index.html'),
  join(APP, 'vite.config.ts'),
  join(APP, 'package.json'),
  join(ROOT, 'packages', 'client', 'src'),
  join(ROOT, 'packages', 'core', 'src'),
  join(ROOT, 'package-lock.json'),
];

function* files(path) {
  if (!existsSync(path)) return;
  if (statSync(path).isFile()) {
    yield path;
    return;
  }
  for (const name of readdirSync(path).sort()) {
    if (name === 'node_modules' || name.endsWith('.test.ts')) continue;
    yield* files(join(path, name));
  }
}

/** A hash of every source file the build reads, with its path. */
export function dashboardSourceHash() {
  const h = createHash('sha256');
  for (const src of SOURCES) {
    for (const f of files(src)) h.update(relative(ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

/**
 * Builds unless dist holds a build of exactly these sources; returns whether it built. The build
 * goes to a private directory first and is swapped in whole, so two `npm start`s building at once
 * (or an API serving meanwhile) never see half a build.
 */
export function buildDashboard({ quiet = false } = {}) {
  const hash = dashboardSourceHash();
  const stampOf = (dir) => (existsSync(join(dir, 'index.html')) && existsSync(join(dir, '.source-hash')) ? readFileSync(join(dir, '.source-hash'), 'utf8').trim() : null);
  if (stampOf(DASHBOARD_DIST) === hash) return false;
  if (!quiet) process.stdout.write('building the dashboard (apps/dashboard → apps/dashboard/dist)…\n');
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const out = join(APP, `.build-${process.pid}`);
  const r = spawnSync(process.execPath, [vite, 'build', '--outDir', out, '--emptyOutDir', '--logLevel', quiet ? 'error' : 'warn'], {
    cwd: APP,
    stdio: quiet ? 'pipe' : 'inherit',
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`the dashboard build failed (node ${vite} build in apps/dashboard):\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  }
  writeFileSync(join(out, '.source-hash'), `${hash}\n`);
  const old = join(APP, `.old-${process.pid}`);
  try {
    if (existsSync(DASHBOARD_DIST)) renameSync(DASHBOARD_DIST, old);
    renameSync(out, DASHBOARD_DIST);
  } catch (err) {
    // Another build swapped its copy in at the same moment: fine when it built the same sources.
    if (stampOf(DASHBOARD_DIST) !== hash) throw err;
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const built = buildDashboard();
    if (!built) process.stdout.write('the dashboard build is up to date\n');
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
