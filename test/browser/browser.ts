import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO } from '../support/agent.ts';

export const CHROMIUM = process.env.SWITCHYARD_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(REPO, 'test', 'browser', 'artifacts');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Debian's chromium, installed with apt-get when missing and allowed (scripts/prepare.mjs, as
 * root on Debian). A browser test never passes without a browser: otherwise this throws with
 * the one command to run.
 */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'prepare.mjs'), '--with-browser'], { cwd: REPO, encoding: 'utf8' });
  if (existsSync(CHROMIUM)) return CHROMIUM;
  throw new Error(`chromium is missing at ${CHROMIUM} and could not be installed (${(r.stderr || r.stdout || '').trim().slice(-300)}). Run:\n\n    sudo apt-get install -y chromium\n`);
}

/** Builds the dashboard unless apps/dashboard/dist holds a build of the current sources. */
export function buildDashboardOnce(): void {
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'build-dashboard.mjs')], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the dashboard build failed:\n${r.stdout}${r.stderr}`);
}

export interface Browser {
  context: BrowserContext;
  /** A new tab (own sessionStorage) that records console errors and uncaught exceptions. */
  page(): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** Chromium headless on a fresh user-data-dir, removed at close. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'sy-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: ensureChromium(),
    args: ARGS,
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    async page() {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
      return { page, errors };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Full-page screenshots at 1280 px and at phone width (390 px), as test artifacts. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const before = page.viewportSize() ?? { width: 1280, height: 800 };
  for (const [suffix, size] of [['1280', { width: 1280, height: 800 }], ['390', { width: 390, height: 844 }]] as const) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${suffix}.png`), fullPage: true });
  }
  await page.setViewportSize(before);
}

/**
 * Console errors an assertion should see: a browser logs every non-2xx answer as an error
 * ("Failed to load resource"), so those the scenario provoked on purpose are left out by status.
 */
export function unexpected(errors: string[], allowedStatuses: number[] = [], allowNetworkDown = false): string[] {
  return errors.filter((e) => {
    const m = /Failed to load resource: the server responded with a status of (\d+)/.exec(e);
    if (m && allowedStatuses.includes(Number(m[1]))) return false;
    if (allowNetworkDown && /net::ERR_(CONNECTION_REFUSED|EMPTY_RESPONSE|CONNECTION_RESET|INCOMPLETE_CHUNKED_ENCODING|NETWORK_CHANGED)|Failed to fetch|network error/i.test(e)) return false;
    return true;
  });
}
