#!/usr/bin/env node
// Bundles the Node programs (the API, the agent, its per-turn runner and approval MCP server, the
// CLI and claude-sim) into plain JavaScript with esbuild, so that nothing runs through tsx at run
// time: tsx costs each process 0.2-0.4 s of CPU to start, and the agent starts a runner and a
// claude per turn.
// Our workspace packages are bundled in; everything from node_modules stays external (native
// better-sqlite3, pino's worker files). Output goes to each app's gitignored dist/, with source
// maps so that stack traces name the .ts lines. A bundle is rebuilt only when one of the files it
// was built from (listed in its stamp) or this script changed: checking costs a few ms.
// `npm start`, `npm test` and vitest's global setup call this; `npm run build` runs it by hand.
// Dependency-free at import time: esbuild is loaded only when something must be built.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const ROOT = dirname(dirname(SELF));

/** Each program: its TypeScript entry and the bundle it becomes (paths from the repo root). */
export const BUNDLES = [
  { entry: 'apps/api/src/main.ts', out: 'apps/api/dist/main.js' },
  { entry: 'apps/agent/src/main.ts', out: 'apps/agent/dist/main.js' },
  { entry: 'apps/agent/src/turn/runner.ts', out: 'apps/agent/dist/runner.js' },
  { entry: 'apps/agent/src/approval/mcp-main.ts', out: 'apps/agent/dist/approval-mcp.js' },
  { entry: 'apps/cli/src/main.ts', out: 'apps/cli/dist/main.js' },
  { entry: 'packages/claude-sim/src/main.ts', out: 'packages/claude-sim/dist/main.js' },
];

const stampFile = (bundle) => join(ROOT, `${bundle.out}.sources.json`);

/**
 * A hash of this script and of every input file with its path; null when one is gone. `read`
 * gives a file's contents (by default as it is now on disk).
 */
function sourceHash(inputs, read = (input) => (existsSync(join(ROOT, input)) ? readFileSync(join(ROOT, input)) : null)) {
  const h = createHash('sha256').update(readFileSync(SELF));
  for (const input of inputs) {
    const contents = read(input);
    if (contents === null) return null;
    h.update(input).update('\0').update(contents).update('\0');
  }
  return h.digest('hex');
}

/** Whether the bundle exists and was built from exactly the files as they are now. */
function isFresh(bundle) {
  if (!existsSync(join(ROOT, bundle.out)) || !existsSync(stampFile(bundle))) return false;
  try {
    const stamp = JSON.parse(readFileSync(stampFile(bundle), 'utf8'));
    return Array.isArray(stamp.inputs) && sourceHash(stamp.inputs) === stamp.hash;
  } catch {
    return false;
  }
}

/** Written beside and renamed over: a process starting meanwhile sees the old file or the new. */
function writeAtomic(file, contents) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

// Bare imports stay external except our own workspace packages, which are bundled from source.
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@switchyard/') ? undefined : { path: args.path, external: true }));
  },
};

/**
 * In a bundle, `import.meta.url` names the bundle, not the source file that reads it. Files that
 * find things beside themselves (db's drizzle/ migrations, the runner's bin, the dashboard build,
 * the CLI's package.json) are given their own source file's URL, relative to the bundle: the
 * same lookups then work from src/ (vitest) and from dist/, with no copies.
 * Keeps in `seen` each file as it was read, for the stamp: a file edited during the build then
 * leaves the bundle stale, not stamped fresh.
 */
function sourceUrls(outDir, seen) {
  return {
    name: 'source-urls',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        seen.set(relative(ROOT, args.path).split(sep).join('/'), text);
        const rel = relative(outDir, args.path).split(sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

async function buildOne(esbuild, bundle) {
  const seen = new Map();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [bundle.entry],
    outfile: bundle.out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Linked maps without the sources (they are in the checkout and the image): small to load.
    sourcemap: 'linked',
    sourcesContent: false,
    write: false,
    metafile: true,
    logLevel: 'error',
    plugins: [externalPackages, sourceUrls(join(ROOT, dirname(bundle.out)), seen)],
  });
  // The sources esbuild read, and the manifests and tsconfigs that steer how it read them.
  const sources = Object.keys(result.metafile.inputs);
  const settings = [...new Set(sources.flatMap((f) => ['package.json', 'tsconfig.json'].map((m) => `${f.split('/').slice(0, 2).join('/')}/${m}`)))];
  const inputs = [...sources, 'tsconfig.base.json', ...settings.filter((f) => existsSync(join(ROOT, f)))].sort();
  // The map before the code, the stamp last: a stamp never vouches for a half-written bundle.
  const files = [...result.outputFiles].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')));
  for (const f of files) writeAtomic(f.path, f.contents);
  const hash = sourceHash(inputs, (input) => seen.get(input) ?? readFileSync(join(ROOT, input)));
  writeAtomic(stampFile(bundle), `${JSON.stringify({ hash, inputs }, null, 1)}\n`);
}

/** Builds every bundle that is missing or stale; returns the ones it built. */
export async function build({ force = false } = {}) {
  const todo = BUNDLES.filter((b) => force || !isFresh(b));
  if (todo.length === 0) return [];
  const esbuild = await import('esbuild');
  try {
    await Promise.all(todo.map((b) => buildOne(esbuild, b)));
  } finally {
    // The JS API keeps an esbuild service process until stopped; npm start lives on.
    await esbuild.stop();
  }
  return todo.map((b) => b.out);
}

if (process.argv[1] && SELF === process.argv[1]) {
  const quiet = process.argv.includes('--quiet');
  const started = Date.now();
  try {
    const built = await build({ force: process.argv.includes('--force') });
    if (!quiet) process.stdout.write(built.length ? `built ${built.join(', ')} in ${Date.now() - started} ms\n` : 'the bundles are up to date\n');
  } catch (err) {
    // esbuild has printed the errors with their file and line.
    process.stderr.write(`the build failed: ${err.message.split('\n')[0]}\n`);
    process.exit(1);
  }
}
