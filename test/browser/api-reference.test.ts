import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useApi } from '../support/api.ts';
import { launchBrowser, screenshots, type Browser } from './browser.ts';

// The API reference at /v1/docs: a maintained viewer (Swagger UI) over /v1/openapi.json, with
// every file it loads served by the API itself, and an example for every operation.
const ctx = useApi();

interface Media {
  schema?: unknown;
  example?: unknown;
}
interface Operation {
  summary?: string;
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

/** Media types whose body is a file, not text: no example can be shown inline. */
const BINARY = new Set(['application/vnd.sqlite3', 'application/octet-stream']);

/** `schema` with every `#/components/schemas/…` reference replaced by what it names. */
function inline(schema: unknown, doc: Doc): unknown {
  if (Array.isArray(schema)) return schema.map((s) => inline(s, doc));
  if (!schema || typeof schema !== 'object') return schema;
  const ref = (schema as { $ref?: string }).$ref;
  if (ref) return inline(doc.components.schemas[ref.replace('#/components/schemas/', '')], doc);
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v, doc)]));
}

/** Problems with an example: missing, or not what the schema beside it describes. */
function check(where: string, media: Media, doc: Doc): string[] {
  if (media.example === undefined) return [`${where}: no example`];
  const parsed = z.fromJSONSchema(inline(media.schema, doc) as Parameters<typeof z.fromJSONSchema>[0]).safeParse(media.example);
  return parsed.success ? [] : [`${where}: example does not match its schema: ${parsed.error.message.slice(0, 300)}`];
}

describe('the OpenAPI document', () => {
  it('has an example request body and a valid example response for every operation', async () => {
    const doc = (await (await fetch(`${ctx.api.url}/v1/openapi.json`)).json()) as Doc;
    const problems: string[] = [];
    let operations = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        operations += 1;
        const name = `${method.toUpperCase()} ${path}`;
        for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) problems.push(...check(`${name} request ${type}`, media, doc));
        const ok = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
        expect(ok.length, name).toBeGreaterThan(0);
        for (const [status, response] of ok) {
          for (const [type, media] of Object.entries(response.content ?? {})) {
            if (!BINARY.has(type)) problems.push(...check(`${name} ${status} ${type}`, media, doc));
          }
        }
        const notFound = op.responses['404']?.content?.['application/json'];
        if (notFound) problems.push(...check(`${name} 404`, notFound, doc));
      }
    }
    expect(operations).toBeGreaterThanOrEqual(25);
    expect(problems).toEqual([]);
  });
});

describe('/v1/docs in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('names no other host in its page', async () => {
    const res = await fetch(`${ctx.api.url}/v1/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    expect(html).toContain('/v1/docs/assets/swagger-ui-bundle.js');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('loads everything from the API itself and lists every operation with its example', async () => {
    const { page, errors } = await browser.page();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${ctx.api.url}/v1/docs`);
    await page.getByText('Create a task', { exact: true }).waitFor({ timeout: 30_000 });
    for (const summary of ['List tasks, newest first', 'Create a workspace (admin)', 'Search tasks by the text of their prompts and results, newest first', 'Fleet changes live (server-sent events): task status, agents online, rate limits, approvals']) {
      await page.getByText(summary, { exact: true }).waitFor();
    }
    expect(await page.locator('.opblock-summary-method', { hasText: 'POST' }).count()).toBeGreaterThan(5);
    // Opening an operation shows its example response.
    await page.getByText('Create a task', { exact: true }).click();
    await page.getByText('Fix the flaky retry test in src/retry.test.ts').first().waitFor();
    await screenshots(page, 'api-reference');
    const origin = new URL(ctx.api.url).origin;
    const elsewhere = requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin);
    expect(elsewhere).toEqual([]);
    expect(requests).toContain(`${origin}/v1/openapi.json`);
    expect(errors).toEqual([]);
    await page.close();
  });
});
