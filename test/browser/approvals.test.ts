import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ApprovalVerdict, ApprovalView, Lease, TaskView } from '@switchyard/core';
import { useApi } from '../support/api.ts';
import { HandAgent, sj } from '../support/hand-agent.ts';
import { buildDashboardOnce, launchBrowser, screenshots, unexpected, type Browser } from './browser.ts';

// The approvals inbox and the inline approval cards in a real browser, against the real API and
// Redis; the agent is played by hand over /agent/v1, so the test decides when claude asks.
const ctx = useApi();
let browser: Browser;
let agent: HandAgent;
let viewerToken = '';
/** The open tab, its console errors, and the error statuses the scenario provokes on purpose. */
let current: { page: Page; errors: string[]; allow: number[] } | null = null;
/** Tasks the hand agent runs, ended after each test so the workspace's slot frees. */
const held: string[] = [];

beforeAll(async () => {
  buildDashboardOnce();
  browser = await launchBrowser();
  agent = await new HandAgent(ctx.api).register();
  const res = await ctx.api.call('/v1/tokens', { method: 'POST', json: { name: 'onlooker', role: 'viewer', team: 'default' } });
  viewerToken = ((await res.json()) as { token: string }).token;
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  for (const id of held.splice(0)) await agent.finish(id);
  if (!current) return;
  const { page, errors, allow } = current;
  current = null;
  await page.close();
  expect(unexpected(errors, allow)).toEqual([]);
});

async function signIn(token: string, path: string): Promise<Page> {
  const { page, errors } = await browser.page();
  current = { page, errors, allow: [] };
  await page.goto(`${ctx.api.url}/`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
  await page.getByTestId('live').getByText('live').waitFor();
  if (path !== '/fleet') await page.goto(`${ctx.api.url}${path}`);
  return page;
}

/** A running task whose (hand-played) claude has just emitted a tool call. */
async function runningTask(prompt: string, toolUse: { id: string; name: string; input: Record<string, unknown> }): Promise<{ task: TaskView; lease: Lease }> {
  const res = await ctx.api.call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt } });
  const task = (await res.json()) as TaskView;
  const lease = await agent.lease(task.id);
  held.push(task.id);
  await agent.start(task.id);
  await agent.emit(task.id, [
    sj.init(),
    sj.text('I will do that now.'),
    JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', ...toolUse }] } }),
  ]);
  return { task, lease };
}

/** What the agent relays when claude's permission prompt tool is called. */
async function ask(lease: Lease, toolUse: { id: string; name: string; input: Record<string, unknown> }): Promise<ApprovalVerdict> {
  const res = await ctx.api.call(`/agent/v1/tasks/${lease.taskId}/approvals`, {
    method: 'POST',
    token: agent.token,
    json: { leaseToken: lease.leaseToken, turn: lease.turn, toolName: toolUse.name, toolUseId: toolUse.id, input: toolUse.input },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as ApprovalVerdict;
}

async function approval(id: string): Promise<ApprovalView> {
  return (await (await ctx.api.call(`/v1/approvals/${id}`)).json()) as ApprovalView;
}

describe('approvals in the dashboard', () => {
  it('shows a new approval live in the inbox, and a deny with a message reaches the agent', async () => {
    const page = await signIn(ctx.api.adminToken, '/approvals');
    await page.getByTestId('no-approvals').waitFor();
    expect(await page.getByTestId('approvals-count').count()).toBe(0);

    const bash = { id: 'tu_rm', name: 'Bash', input: { command: 'rm -rf build', description: 'Clean the build' } };
    const { task, lease } = await runningTask('clean up', bash);
    const asked = await ask(lease, bash);
    expect(asked).toMatchObject({ status: 'pending', answer: null });

    // Live, with no reload: the count in the navigation and the row.
    await page.getByTestId('approvals-count').getByText('1').waitFor();
    const row = page.locator(`[data-approval="${asked.approvalId}"]`);
    await row.getByText('rm -rf build').waitFor();
    expect(await row.textContent()).toContain(task.id);
    await row.getByText(/expires in/).waitFor();
    await screenshots(page, 'approvals-inbox');

    await row.click();
    const drawer = page.getByRole('dialog');
    expect(await drawer.getByTestId('approval-command').textContent()).toBe('rm -rf build');
    await drawer.getByLabel('Message to Claude').fill('Not on a Friday: keep the build.');
    await screenshots(page, 'approval-detail');
    await drawer.getByRole('button', { name: 'Deny' }).click();
    await drawer.getByTestId('approval-outcome').getByText(/Denied by/).waitFor();

    const answered = await approval(asked.approvalId);
    expect(answered).toMatchObject({ status: 'denied', decision: 'deny', message: 'Not on a Friday: keep the build.' });
    const verdict = (await (await ctx.api.call(`/agent/v1/approvals/${asked.approvalId}?waitMs=0`, { token: agent.token })).json()) as ApprovalVerdict;
    expect(verdict.answer).toEqual({ behavior: 'deny', message: 'Not on a Friday: keep the build.' });

    // Answered: off the pending list and the count; listed under Answered.
    await page.keyboard.press('Escape');
    await page.getByTestId('no-approvals').waitFor();
    expect(await page.getByTestId('approvals-count').count()).toBe(0);
    await page.getByText('Answered', { exact: true }).click();
    await page.locator(`[data-approval="${asked.approvalId}"]`).getByTestId('approval-status').getByText('denied').waitFor();
  });

  it('shows a pending edit as a diff in the transcript; a viewer sees no buttons, a member allows it with an edited input', async () => {
    const edit = { id: 'tu_edit', name: 'Edit', input: { file_path: '/tmp/app/config.ts', old_string: 'const retries = 1;\nconst port = 80;', new_string: 'const retries = 3;\nconst port = 80;' } };
    const { task, lease } = await runningTask('raise the retries', edit);
    const asked = await ask(lease, edit);

    const viewer = await signIn(viewerToken, '/approvals');
    await viewer.getByTestId('approvals-count').getByText('1').waitFor();
    await viewer.locator(`[data-approval="${asked.approvalId}"]`).click();
    await viewer.getByRole('dialog').getByTestId('approval-diff').waitFor();
    expect(await viewer.getByRole('button', { name: /Allow|Deny/ }).count()).toBe(0);
    await viewer.goto(`${ctx.api.url}/tasks/${task.id}`);
    await viewer.getByTestId('waiting-on-approval').waitFor();
    await viewer.getByTestId('transcript').locator(`[data-approval="${asked.approvalId}"]`).waitFor();
    expect(await viewer.getByRole('button', { name: /Allow|Deny/ }).count()).toBe(0);
    await viewer.goto(`${ctx.api.url}/workspaces/local`);
    await viewer.getByTestId('approval-policy').getByTestId('policy-summary').waitFor();
    expect(await viewer.getByRole('button', { name: 'Edit policy' }).count()).toBe(0);
    expect(unexpected(current!.errors)).toEqual([]);
    await current!.page.close();
    current = null;

    const page = await signIn(ctx.api.adminToken, `/tasks/${task.id}`);
    await page.getByTestId('waiting-on-approval').waitFor();
    expect(await page.getByTestId('status').first().textContent()).toBe('running');
    const card = page.getByTestId('transcript').locator(`[data-approval="${asked.approvalId}"]`);
    const diff = card.getByTestId('approval-diff');
    await diff.waitFor();
    expect(await diff.locator('[data-op="-"]').allTextContents()).toEqual(['- const retries = 1;']);
    expect(await diff.locator('[data-op="+"]').allTextContents()).toEqual(['+ const retries = 3;']);
    await screenshots(page, 'approval-inline');

    await card.getByLabel('Edit the input before allowing').check();
    const edited = { ...edit.input, new_string: 'const retries = 5;\nconst port = 80;' };
    await card.getByLabel('Input to run with').fill(JSON.stringify(edited));
    await card.getByRole('button', { name: 'Allow once' }).click();
    await card.getByTestId('approval-outcome').getByText(/Allowed once by .*, with an edited input/).waitFor();
    await expect.poll(() => page.getByTestId('waiting-on-approval').count()).toBe(0);
    expect(await approval(asked.approvalId)).toMatchObject({ status: 'allowed', decision: 'allow_once', updatedInput: edited });
  });

  it('shows slots waiting on people in the fleet, and lets an admin edit the policy, with the API saying what is wrong', async () => {
    const bash = { id: 'tu_deploy', name: 'Bash', input: { command: 'make deploy' } };
    const { task, lease } = await runningTask('deploy', bash);
    await ask(lease, bash);
    const page = await signIn(ctx.api.adminToken, '/fleet');
    await page.locator('[data-workspace="local"]').getByTestId('slots-awaiting-approval').getByText('1 waiting on people').waitFor();
    await screenshots(page, 'approvals-fleet');

    await page.goto(`${ctx.api.url}/workspaces/local`);
    await page.locator(`[data-task="${task.id}"]`).getByText('waiting on approval').waitFor();
    const policy = page.getByTestId('approval-policy');
    await policy.getByText('No rules.').waitFor();
    await policy.getByRole('button', { name: 'Edit policy' }).click();
    await policy.getByRole('button', { name: 'Add rule' }).click();
    await policy.getByLabel('Rule 1', { exact: true }).fill('Bash(git log:*');
    current!.allow.push(400);
    await policy.getByRole('button', { name: 'Save policy' }).click();
    await policy.getByTestId('api-error').getByText(/^400 /).waitFor();
    expect(await policy.getByTestId('api-error').textContent()).toMatch(/rule/i);
    await screenshots(page, 'approvals-policy-refused');

    await policy.getByLabel('Rule 1', { exact: true }).fill('Bash(git log:*)');
    await policy.getByLabel('Effect of rule 1').click();
    await page.getByRole('option', { name: 'allow' }).click();
    await policy.getByRole('button', { name: 'Save policy' }).click();
    await policy.getByTestId('policy-rules').getByText('Bash(git log:*)').waitFor();
    await screenshots(page, 'approvals-policy');
    const ws = (await (await ctx.api.call('/v1/workspaces/local')).json()) as { approvalPolicy: { rules: unknown[]; default: string } };
    expect(ws.approvalPolicy).toMatchObject({ rules: [{ effect: 'allow', rule: 'Bash(git log:*)' }], default: 'ask' });
  });
});
