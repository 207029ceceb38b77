import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';

/** Where `scripts/build-dashboard.mjs` (run by `npm start`) writes the dashboard build. */
export const DASHBOARD_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dashboard', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The API's own paths: never answered with the dashboard's page. */
const API_PATHS = /^\/(v1|api|agent|metrics|healthz|readyz)(\/|$)/;

// The app loads only its own scripts and styles (Mantine sets inline style attributes), talks only
// to this origin, and may not be framed.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Switchyard</title>
<body style="font:16px system-ui;max-width:40rem;margin:4rem auto;padding:0 1rem">
<h1>Switchyard</h1><p>The API is running, but the dashboard is not built.</p>
<p>Build it once with <code>node scripts/build-dashboard.mjs</code> (<code>npm start</code> does this by itself),
then reload. The API itself is at <a href="/v1/docs">/v1/docs</a>.</p></body>`;

/**
 * The dashboard: its built files from `dir`, and its page for every other GET outside the API's
 * paths (the app routes in the browser, so `/tasks/tsk_…` is a URL to share). When `dir` has no
 * build, `/` says how to make one.
 */
export function dashboardStaticRoutes(dir = DASHBOARD_DIST) {
  const app = new Hono<AppEnv>();
  const root = resolve(dir);
  app.get('*', (c, next) => {
    const path = decodeURIComponent(c.req.path);
    if (API_PATHS.test(path)) return next();
    const index = join(root, 'index.html');
    if (!existsSync(index)) return c.html(NOT_BUILT, path === '/' ? 200 : 404);
    const file = normalize(join(root, path));
    const isFile = file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile();
    if (!isFile && extname(path) !== '' && path.startsWith('/assets/')) return next();
    const target = isFile ? file : index;
    const type = TYPES[extname(target)] ?? 'application/octet-stream';
    // Hashed assets never change; the page is re-read so a rebuild shows at the next load.
    const cache = target.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
    return c.body(readFileSync(target), 200, {
      'content-type': type,
      'cache-control': cache,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
  });
  return app;
}
