import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from './context.ts';

/** Swagger UI's built files, from the installed swagger-ui-dist package. */
const DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The files the page loads, all from this API: pods often cannot reach a CDN. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

// Only this origin: a page that tried a CDN or the public validator would fail here, visibly.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Starts Swagger UI on the document. `validatorUrl: null` keeps it from sending the document to
 * validator.swagger.io; the bearer token typed into "Authorize" is kept only in the page.
 */
const initScript = (specUrl: string) => `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(specUrl)},
  dom_id: '#reference',
  validatorUrl: null,
  deepLinking: true,
  displayRequestDuration: true,
  defaultModelsExpandDepth: 0,
  docExpansion: 'list',
  tryItOutEnabled: false,
});
`;

const page = (base: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchyard API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="${base}/assets/favicon-32x32.png">
<link rel="stylesheet" href="${base}/assets/swagger-ui.css">
</head><body><div id="reference"></div>
<script src="${base}/assets/swagger-ui-bundle.js"></script>
<script src="${base}/assets/init.js"></script>
</body></html>`;

/**
 * The API reference, mounted at `base` (`/v1/docs`): Swagger UI rendering `specUrl`, with its
 * scripts and styles served from here.
 */
export function apiReferenceRoutes(base: string, specUrl: string) {
  const app = new Hono<AppEnv>();
  const cache = new Map<string, Buffer>();
  const headers = (type: string, cacheControl: string) => ({
    'content-type': type,
    'cache-control': cacheControl,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
  });
  app.get('/', (c) => c.body(page(base), 200, headers('text/html; charset=utf-8', 'no-cache')));
  app.get('/assets/init.js', (c) => c.body(initScript(specUrl), 200, headers('text/javascript; charset=utf-8', 'no-cache')));
  app.get('/assets/:file', (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) return c.json({ error: { code: 'not_found', message: `no asset ${file}` } }, 404);
    let body = cache.get(file);
    if (!body) cache.set(file, (body = readFileSync(join(DIST, file))));
    // Revalidated rather than immutable: the file names carry no version.
    return c.body(new Uint8Array(body), 200, headers(type, 'public, max-age=3600'));
  });
  return app;
}
