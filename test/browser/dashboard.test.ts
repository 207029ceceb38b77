import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { TaskView, WorkspaceView } from '@switchyard/core';
import { screenshots, unexpected } from './browser.ts';
import { useStack } from './stack.ts';

// The dashboard in a real browser against the real stack: API, Redis, the agent and claude-sim.
const stack = useStack();
let current: { page: Page; errors: string[]; allow: number[]; networkDown: boolean } | null = null;

async function openTab(): Promise<Page> {
  const { page, errors } = await stack.browser.page();
  current = { page, errors, allow: [], networkDown: false };
  return page;
}

async function signIn(token: string): Promise<Page> {
  const page = await openTab();
  await page.goto(`${stack.api.url}/`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
  return page;
}

/** Presses Tab until `target` has the focus, as someone without a mouse would. */
async function tabTo(page: Page, target: Locator, maxPresses = 40): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${maxPresses} presses of Tab never reached ${target.toString()}`);
}

async function workspace(name: string): Promise<WorkspaceView> {
  return (await (await stack.api.call(`/v1/workspaces/${name}`)).json()) as WorkspaceView;
}

async function userToken(body: Record<string, unknown>): Promise<string> {
  const res = await stack.api.call('/v1/tokens', { method: 'POST', json: body });
  return ((await res.json()) as { token: string }).token;
}

/** On the Tokens page: a token is shown once with a copy button, listed, then revoked. */
async function createAndRevokeToken(page: Page): Promise<void> {
  await page.getByLabel('Name').fill('ci-bot');
  await page.getByRole('button', { name: 'Create' }).click();
  const created = page.getByTestId('token-created');
  expect(await created.textContent()).toMatch(/syu_[A-Za-z0-9_-]{43}/);
  await created.getByRole('button', { name: 'Copy token' }).waitFor();
  const row = page.getByTestId('token-list').locator('tr', { hasText: 'ci-bot' });
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByText('revoked').waitFor();
}

afterEach(async () => {
  if (!current) return;
  const { page, errors, allow, networkDown } = current;
  current = null;
  await page.close();
  // No console errors, but for answers the scenario provoked on purpose.
  expect(unexpected(errors, allow, networkDown)).toEqual([]);
});

describe('dashboard', () => {
  it('signs in with a token kept out of the URL, and shows the fleet live', async () => {
    const page = await signIn(stack.api.adminToken);
    expect(page.url()).not.toContain(stack.api.adminToken);
    expect(await page.evaluate('sessionStorage.getItem("switchyard.token")')).toBe(stack.api.adminToken);
    const row = page.locator('[data-workspace="local"]');
    await row.getByText('online').waitFor();
    await page.getByTestId('live').getByText('live').waitFor();
    await screenshots(page, 'fleet');
    // A reload keeps the session (sessionStorage), not a URL token.
    await page.reload();
    await page.getByTestId('whoami').waitFor();
  });

  it('creates a task against claude-sim and watches it stream to completion, then a follow-up', async () => {
    const page = await signIn(stack.api.adminToken);
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('button', { name: 'New task' }).click();
    await page.getByRole('dialog').getByLabel('Workdir').fill('/tmp');
    await page.getByRole('dialog').getByLabel('Prompt').fill('Explain the repo\n@sim say **Bold** answer from the sim <img src=x onerror="window.__xss=1"> <b>raw</b>\n@sim tool Bash\n@sim todo\n@sim sleep 1\n@sim lines 5\n@sim cost 0.25');
    await page.getByRole('button', { name: 'Queue task' }).click();
    await page.waitForURL(/\/tasks\/tsk_/);
    await page.getByTestId('transcript').locator('strong', { hasText: 'Bold' }).waitFor();
    await page.getByTestId('turn-result').waitFor({ timeout: 30_000 });
    await page.getByTestId('status').first().getByText('completed').waitFor();
    expect(await page.getByTestId('stat-cost').textContent()).toBe('$0.2500');
    expect(await page.getByTestId('tool-call').count()).toBeGreaterThanOrEqual(1);
    await page.getByTestId('todos').waitFor();
    // Markdown, but never the HTML inside it.
    expect(await page.getByTestId('transcript').locator('img, b').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    await screenshots(page, 'task-detail');

    await page.getByLabel('Follow-up').fill('@sim say second turn here');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('transcript').getByText('second turn here').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('turn-result').count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => page.getByTestId('turns').locator('tbody tr').count()).toBe(2);

    await page.getByLabel('Raw stream-json').check();
    expect(await page.getByTestId('raw-output').textContent()).toContain('"type":"result"');
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByTestId('tasks').locator('tbody tr').first().waitFor();
    await page.getByLabel('Search prompts and results').fill('explain rep');
    await expect.poll(() => page.getByTestId('tasks').locator('tbody tr').count()).toBe(1);
    await screenshots(page, 'tasks');
  });

  it('kills a running task', async () => {
    const task = await stack.createTask({ prompt: '@sim say working\n@sim hang' });
    const page = await signIn(stack.api.adminToken);
    await page.goto(`${stack.api.url}/tasks/${task.id}`);
    // Exact: the turn's prompt, shown above its output, holds the word too.
    await page.getByTestId('transcript').getByText('working', { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Kill' }).click();
    await page.getByTestId('status').first().getByText('killed').waitFor({ timeout: 30_000 });
    expect((await stack.waitTask(task.id, ['killed'])).status).toBe('killed');
    await expect.poll(() => page.getByRole('button', { name: 'Kill' }).count()).toBe(0);
  });

  it('explains a quota refusal: which limit and when it frees', async () => {
    await stack.api.call('/v1/teams/default/quota', { method: 'PUT', json: { maxRunning: null, maxQueued: null, tasksPerDay: 0, monthlyBudgetUsd: null } });
    try {
      const page = await signIn(stack.api.adminToken);
      current!.allow.push(429);
      await page.goto(`${stack.api.url}/tasks`);
      await page.getByRole('button', { name: 'New task' }).click();
      await page.getByRole('dialog').getByLabel('Workdir').fill('/tmp');
      await page.getByRole('dialog').getByLabel('Prompt').fill('over quota');
      await page.getByRole('button', { name: 'Queue task' }).click();
      const alert = page.getByTestId('api-error');
      await alert.getByText('429 quota_exceeded').waitFor();
      expect(await alert.textContent()).toMatch(/Limit: tasksPerDay — \d+ of 0 used\.Frees at /);
      await screenshots(page, 'quota-refusal');
    } finally {
      await stack.api.call('/v1/teams/default/quota', { method: 'PUT', json: { maxRunning: null, maxQueued: null, tasksPerDay: null, monthlyBudgetUsd: null } });
    }
  });

  it('gives a viewer no write controls and hides another team’s tasks', async () => {
    await stack.api.call('/v1/teams', { method: 'POST', json: { name: 'other' } });
    await stack.api.call('/v1/workspaces', { method: 'POST', json: { name: 'other-ws', team: 'other' } });
    const foreign = await stack.createTask({ workspace: 'other-ws', prompt: 'secret plans of team other' });
    const res = await stack.api.call('/v1/tokens', { method: 'POST', json: { name: 'watcher', role: 'viewer', team: 'default' } });
    const viewer = ((await res.json()) as { token: string }).token;
    const page = await signIn(viewer);
    await page.locator('[data-workspace="local"]').waitFor();
    expect(await page.locator('[data-workspace="other-ws"]').count()).toBe(0);
    expect(await page.getByRole('switch').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add workspace' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByTestId('tasks').locator('tbody tr').first().waitFor();
    expect(await page.getByRole('button', { name: 'New task' }).count()).toBe(0);
    expect(await page.locator(`[data-task="${foreign.id}"]`).count()).toBe(0);
    expect(await page.getByText('secret plans').count()).toBe(0);
    await page.getByTestId('tasks').locator('tbody tr a').first().click();
    await page.getByTestId('transcript').waitFor();
    expect(await page.getByRole('button', { name: /Kill|Send/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Audit' }).count()).toBe(0);
  });

  it('shows teams, tokens, audit and a workspace, and onboards a workspace', async () => {
    const page = await signIn(stack.api.adminToken);
    for (const [link, testId, shot] of [['Teams', 'daily-chart', 'teams'], ['Tokens', 'token-list', 'tokens'], ['Audit', 'audit', 'audit']] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByTestId(testId).waitFor();
      if (link === 'Tokens') await createAndRevokeToken(page);
      await screenshots(page, shot);
    }
    await page.goto(`${stack.api.url}/teams/default`);
    await page.getByTestId('usage-default').waitFor();
    await screenshots(page, 'team');
    await page.goto(`${stack.api.url}/workspaces/local`);
    await page.getByTestId('load-chart').waitFor();
    await screenshots(page, 'workspace');
    await page.goto(`${stack.api.url}/fleet`);
    await page.getByRole('button', { name: 'Add workspace' }).click();
    await page.getByLabel('Name').fill('alice');
    await page.getByRole('button', { name: 'Create and issue agent token' }).click();
    await page.getByText('The agent token is shown this once').waitFor();
    expect(await page.getByRole('dialog').textContent()).toMatch(/--token-file ~\/\.switchyard\/agent-token[\s\S]*token='sya_[A-Za-z0-9_-]{43}'/);
    await screenshots(page, 'onboarding');
  });

  it('lets an admin pause and resume a workspace and change its maxConcurrency in place', async () => {
    const before = await workspace('local');
    const page = await signIn(stack.api.adminToken);
    const row = page.locator('[data-workspace="local"]');
    const paused = row.getByRole('switch', { name: 'paused local' });
    // What a pointer lands on: the switch's track, inside its label.
    const toggle = row.locator('label', { has: page.getByRole('switch', { name: 'paused local' }) });
    const slots = row.getByLabel('maxConcurrency of local');
    try {
      expect(await paused.isChecked()).toBe(false);
      await toggle.click();
      await expect.poll(async () => (await workspace('local')).paused).toBe(true);
      await expect.poll(() => paused.isChecked()).toBe(true);
      await toggle.click();
      await expect.poll(async () => (await workspace('local')).paused).toBe(false);
      await expect.poll(() => paused.isChecked()).toBe(false);

      await slots.fill(String(before.maxConcurrency + 2));
      await slots.press('Enter');
      await expect.poll(async () => (await workspace('local')).maxConcurrency).toBe(before.maxConcurrency + 2);
      // Reloaded from the API, the field shows what was saved.
      await page.reload();
      expect(await row.getByLabel('maxConcurrency of local').inputValue()).toBe(String(before.maxConcurrency + 2));
    } finally {
      await stack.api.call('/v1/workspaces/local', { method: 'PATCH', json: { paused: before.paused, maxConcurrency: before.maxConcurrency } });
    }
  });

  it('explains to a team with no workspace yet how its first agent starts', async () => {
    await stack.api.call('/v1/teams', { method: 'POST', json: { name: 'newcomers' } });
    const page = await signIn(await userToken({ name: 'newbie', role: 'member', team: 'newcomers' }));
    await page.getByText('No workspace yet').waitFor();
    expect(await page.locator('[data-workspace]').count()).toBe(0);
    await page.getByText(`apps/agent/bin/switchyard-agent.js --url ${stack.api.url} --token-file ~/.switchyard/agent-token`, { exact: true }).waitFor();
    await page.getByText(/^A workspace is one developer pod .* Ask an admin to add one/).waitFor();
    // Not an admin: nothing to add a workspace with.
    expect(await page.getByRole('button', { name: /Add (the first )?workspace/ }).count()).toBe(0);
    await screenshots(page, 'fleet-empty');
  });

  it('can be used with the keyboard alone: sign in, the navigation and the create form', async () => {
    const page = await openTab();
    await page.goto(`${stack.api.url}/`);
    await tabTo(page, page.getByLabel('Token'));
    await page.keyboard.type(stack.api.adminToken);
    await page.keyboard.press('Enter');
    await page.getByTestId('whoami').waitFor();
    await tabTo(page, page.getByRole('link', { name: 'Tasks', exact: true }));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/tasks$/);
    await tabTo(page, page.getByRole('button', { name: 'New task' }));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await tabTo(page, dialog.getByLabel('Workdir'));
    await page.keyboard.type('/tmp');
    await tabTo(page, dialog.getByLabel('Prompt'));
    await page.keyboard.type('typed at the keyboard\n@sim say no mouse was harmed');
    await tabTo(page, dialog.getByRole('button', { name: 'Queue task' }));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/tasks\/tsk_/);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const task = (await (await stack.api.call(`/v1/tasks/${id}`)).json()) as TaskView;
    expect(task).toMatchObject({ workspace: 'local', workdir: '/tmp', prompt: 'typed at the keyboard\n@sim say no mouse was harmed' });
    await page.getByTestId('turn-result').getByText('no mouse was harmed', { exact: true }).waitFor({ timeout: 30_000 });
    await stack.waitTask(id, ['completed']);
  });

  it('creates a task against a team pool from the form, and downloads its output', async () => {
    // local joins its team's pool now; its agent's long-poll, begun outside the pool, hears pool work.
    await stack.api.call('/v1/workspaces/local', { method: 'PATCH', json: { pool: true } });
    try {
      const page = await signIn(stack.api.adminToken);
      await page.getByRole('link', { name: 'Tasks', exact: true }).click();
      await page.getByRole('button', { name: 'New task' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('A team pool').click();
      await dialog.getByRole('combobox', { name: 'Team pool' }).click();
      await page.getByRole('option', { name: 'default' }).click();
      await dialog.getByLabel('Workdir').fill('/tmp');
      await dialog.getByLabel('Prompt').fill('@sim say answered from the pool\n@sim lines 3');
      const posted = page.waitForResponse((r) => r.url().endsWith('/v1/tasks') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Queue task' }).click();
      const res = await posted;
      expect(res.status()).toBe(201);
      // Sent to the team's pool, not to a workspace.
      expect(res.request().postDataJSON()).toEqual({ prompt: '@sim say answered from the pool\n@sim lines 3', team: 'default', workdir: '/tmp' });
      await page.waitForURL(/\/tasks\/tsk_/);
      const id = new URL(page.url()).pathname.split('/').pop()!;
      await page.getByTestId('transcript').getByText('answered from the pool', { exact: true }).waitFor({ timeout: 30_000 });
      await page.getByTestId('status').first().getByText('completed').waitFor({ timeout: 30_000 });
      // Placed by the pool on its one member.
      const done = await stack.waitTask(id, ['completed']);
      expect(done).toMatchObject({ team: 'default', workspace: 'local' });

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download output' }).click()]);
      expect(download.suggestedFilename()).toBe(`${id}.jsonl`);
      const file = readFileSync(await download.path(), 'utf8');
      // Every line claude wrote, as the API stores them: the answer and the result among them.
      expect(file).toBe(await (await stack.api.call(`/v1/tasks/${id}/output`)).text());
      const lines = file.split('\n').filter(Boolean);
      expect(lines).toHaveLength(done.lastSeq);
      expect(lines.some((l) => l.includes('answered from the pool'))).toBe(true);
      expect(lines.map((l) => (JSON.parse(l) as { type: string }).type)).toContain('result');
    } finally {
      await stack.api.call('/v1/workspaces/local', { method: 'PATCH', json: { pool: false } });
    }
  });

  it('recovers when the API restarts mid-stream', async () => {
    const task = await stack.createTask({ prompt: '@sim say before the restart\n@sim sleep 4\n@sim say after the restart\n@sim lines 3' });
    const page = await signIn(stack.api.adminToken);
    current!.networkDown = true;
    await page.goto(`${stack.api.url}/tasks/${task.id}`);
    // Exact: the turn's prompt, shown above its output, holds these words too.
    await page.getByTestId('transcript').getByText('before the restart', { exact: true }).waitFor({ timeout: 30_000 });
    await stack.restartApi();
    await page.getByTestId('transcript').getByText('after the restart', { exact: true }).waitFor({ timeout: 45_000 });
    await page.getByTestId('turn-result').waitFor({ timeout: 30_000 });
    await page.getByTestId('stream-state').getByText('ended').waitFor();
    const done = await stack.waitTask(task.id, ['completed']);
    // Every line exactly once, in order.
    expect(await page.getByTestId('transcript').getByText('before the restart', { exact: true }).count()).toBe(1);
    await page.getByLabel('Raw stream-json').check();
    const seqs = ((await page.getByTestId('raw-output').textContent()) ?? '').split('\n').map((l) => Number(l.split('\t')[0]));
    expect(seqs).toEqual(Array.from({ length: done.lastSeq }, (_, i) => i + 1));
    await page.getByTestId('live').getByText('live').waitFor({ timeout: 30_000 });
  });

  // Last: it leaves workspace local rate-limited for the rest of the file.
  it('counts down a rate-limited workspace in the fleet, live', async () => {
    const page = await signIn(stack.api.adminToken);
    const row = page.locator('[data-workspace="local"]');
    await row.getByText('online').waitFor();
    expect(await row.getByText(/rate limited/).count()).toBe(0);
    const task = await stack.createTask({ prompt: '@sim rate_limit 30\n@sim say after the limit' });
    await stack.waitTask(task.id, ['rate_limited']);
    const until = Date.parse((await workspace('local')).rateLimitedUntil!);
    // Live, with no reload: the row shows the seconds left, and they count down.
    const badge = row.getByText(/^rate limited · \d+ s$/);
    await badge.waitFor();
    const secondsLeft = async () => Number(/(\d+) s$/.exec((await badge.textContent()) ?? '')![1]);
    const first = await secondsLeft();
    expect(Math.abs(first - (until - Date.now()) / 1000)).toBeLessThanOrEqual(3);
    await expect.poll(secondsLeft, { timeout: 5_000 }).toBeLessThan(first);
    await screenshots(page, 'fleet-rate-limited');
  });
});
