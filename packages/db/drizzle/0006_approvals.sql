-- Approvals (issue #15). Additive.
--
-- A tool call claude would ask about, relayed by the agent; a policy or a person answers it.
CREATE TABLE IF NOT EXISTS `approvals` (
  `id` text PRIMARY KEY NOT NULL,
  `task_id` text NOT NULL,
  `team_id` text NOT NULL,
  `workspace_id` text,
  `turn` integer NOT NULL,
  `tool_use_id` text NOT NULL,
  `tool_name` text NOT NULL,
  `input` text NOT NULL,
  `status` text NOT NULL,
  `decision` text,
  `message` text,
  `updated_input` text,
  `answered_by` text,
  `rule` text,
  `created_at` integer NOT NULL,
  `answered_at` integer,
  `expires_at` integer NOT NULL
);
--> statement-breakpoint
-- An agent that restarts asks again for the same call: it gets the same approval.
CREATE UNIQUE INDEX IF NOT EXISTS `approvals_task_tool_use` ON `approvals` (`task_id`,`tool_use_id`);
--> statement-breakpoint
-- The timeout sweep reads pending approvals by deadline.
CREATE INDEX IF NOT EXISTS `approvals_status_expires` ON `approvals` (`status`,`expires_at`);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `approvals_task` ON `approvals` (`task_id`);
--> statement-breakpoint
-- A workspace's slots waiting on people are counted from its pending approvals only.
CREATE INDEX IF NOT EXISTS `approvals_workspace_status` ON `approvals` (`workspace_id`,`status`);
--> statement-breakpoint
-- The lists of `/v1/approvals`, newest first, by team.
CREATE INDEX IF NOT EXISTS `approvals_team_created` ON `approvals` (`team_id`,`created_at`);
--> statement-breakpoint
-- Rules a person allowed for the rest of a task (`allow_for_task`).
ALTER TABLE `tasks` ADD `approval_rules` text DEFAULT '[]' NOT NULL;
--> statement-breakpoint
-- The workspace's approval policy (admin-set); null means the default (ask, 1 h).
ALTER TABLE `workspaces` ADD `approval_policy` text;
