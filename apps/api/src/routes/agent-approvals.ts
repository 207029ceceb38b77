import { Hono } from 'hono';
import { ApprovalRequestSchema, ValidationError } from '@switchyard/core';
import type { AppEnv, RouteDeps } from '../context.ts';
import { readJson } from '../validation.ts';
import { MAX_APPROVAL_WAIT_MS } from '../approvals/service.ts';
import { clientGone } from '../client-gone.ts';

/**
 * `/agent/v1` approvals (protocol 1.2): claude asked about a tool call; the agent relays it and
 * long-polls for the answer. Mounted behind the gateway's agent authentication.
 */
export function agentApprovalRoutes(deps: RouteDeps) {
  const app = new Hono<AppEnv>();
  const workspaceOf = (c: { get: (k: 'principal') => { workspaceId: string | null } }): string => c.get('principal').workspaceId!;

  app.post('/tasks/:id/approvals', async (c) => {
    const body = await readJson(c, ApprovalRequestSchema);
    return c.json(deps.approvals.request(workspaceOf(c), c.req.param('id'), body));
  });

  app.get('/approvals/:id', async (c) => {
    const raw = c.req.query('waitMs') ?? '0';
    const waitMs = Number(raw);
    if (!/^\d{1,6}$/.test(raw) || waitMs > MAX_APPROVAL_WAIT_MS) {
      throw new ValidationError(`waitMs must be a whole number of ms from 0 to ${MAX_APPROVAL_WAIT_MS}`, { field: 'waitMs' });
    }
    return c.json(await deps.approvals.verdict(workspaceOf(c), c.req.param('id'), waitMs, clientGone(c)));
  });

  return app;
}
