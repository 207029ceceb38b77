import { expect } from 'vitest';

/**
 * Checks that `baseUrl` serves the built dashboard at `/` — the app and its script, not the page
 * saying it is not built — and returns the page's HTML (a deep link answers the same).
 */
export async function expectBuiltDashboard(baseUrl: string): Promise<{ html: string; headers: Headers }> {
  const page = await fetch(`${baseUrl}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  const html = await page.text();
  expect(html).not.toContain('dashboard is not built');
  expect(html).toContain('<div id="root"></div>');
  const script = /<script type="module"[^>]* src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  expect(script, html).toBeDefined();
  const js = await fetch(`${baseUrl}${script}`);
  expect(js.status).toBe(200);
  expect(js.headers.get('content-type')).toContain('text/javascript');
  return { html, headers: page.headers };
}
