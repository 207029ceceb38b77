import { createRoute, z } from '@hono/zod-openapi';
import {
  ApprovalAnswerRequestSchema,
  ApprovalStatusSchema,
  ApprovalViewSchema,
  NotFoundError,
} from '@switchyard/core';
import { findTeam, findWorkspace, listApprovals } from '@switchyard/db';
import { approvalView } from '../approvals/view.ts';
import { canSee } from '../auth.ts';
import type { RouteDeps } from '../context.ts';
import { ErrorResponses, jsonBody, ok, v1Router } from './openapi.ts';

const ApprovalIdParam = z.object({ id: z.string().min(1).max(80) });

const ListQuery = z.object({
  status: ApprovalStatusSchema.optional(),
  team: z.string().min(1).max(80).optional(),
  workspace: z.string().min(1).max(80).optional(),
  task: z.string().min(1).max(80).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * `/v1/approvals`: the tool calls claude asked about, and their answers. Anyone who may see a
 * task sees its approvals; members of its team with write rights (and admins) answer them.
 */
export function approvalRoutes(deps: RouteDeps) {
  const app = v1Router();
  const db = deps.db.db;
  const { approvals, tasks } = deps;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/approvals',
      summary: 'List approvals of the tasks you may see, newest first',
      request: { query: ListQuery },
      responses: { 200: ok(z.object({ approvals: z.array(ApprovalViewSchema) }), 'Approvals'), ...ErrorResponses },
    }),
    (c) => {
      const p = c.get('principal');
      const q = c.req.valid('query');
      let teamIds: string[] | null = p.role === 'admin' ? null : [p.teamId ?? '-'];
      if (q.team) {
        const team = findTeam(db, q.team);
        if (!team || !canSee(p, team.id)) throw new NotFoundError('team', q.team);
        teamIds = [team.id];
      }
      let workspaceId: string | undefined;
      if (q.workspace) {
        const ws = findWorkspace(db, q.workspace);
        if (!ws || !canSee(p, ws.teamId)) throw new NotFoundError('workspace', q.workspace);
        workspaceId = ws.id;
      }
      const taskId = q.task ? tasks.visibleTask(p, q.task).id : undefined;
      // Deadlines passed since the last sweep are applied before the list is read.
      approvals.clock.expireDue();
      const rows = listApprovals(db, { status: q.status, teamIds, workspaceId, taskId, limit: q.limit });
      return c.json({ approvals: rows.map((r) => approvalView(db, approvals.clock.refresh(r))) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/approvals/{id}',
      summary: 'Get an approval',
      request: { params: ApprovalIdParam },
      responses: { 200: ok(ApprovalViewSchema, 'The approval'), ...ErrorResponses },
    }),
    (c) => c.json(approvalView(db, approvals.visible(c.get('principal'), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/approvals/{id}',
      summary: 'Answer an approval: allow once, allow for the rest of the task, or deny',
      description:
        'Members of the task’s team (not viewers) and admins answer. `updatedInput` (allow only) runs the call with an edited input; `message` (deny) is what claude reads. 409 with the current `status` when it is no longer pending. Every answer is audited.',
      request: { params: ApprovalIdParam, body: jsonBody(ApprovalAnswerRequestSchema) },
      responses: { 200: ok(ApprovalViewSchema, 'The answered approval'), ...ErrorResponses },
    }),
    (c) => {
      const row = approvals.answer(c.get('principal'), c.req.valid('param').id, c.req.valid('json'));
      return c.json(approvalView(db, row), 200);
    },
  );

  return app;
}
