-- Three indexes of `tasks` hold only the rows they serve (issue #12). Rebuilds three indexes.
--
-- A new task has no agent, no finish time and, unless the client sent an Idempotency-Key, no key:
-- as full indexes, each of these took an entry for every create that no query ever looks up.
-- As partial indexes they are written when the value is set (a lease, a finish, a keyed
-- create), and every query that used them still does: each names the column with `=`, `<` or
-- `IS NOT NULL`, which implies the index's condition. Three B-tree inserts fewer per create.
DROP INDEX `tasks_agent_status`;
--> statement-breakpoint
CREATE INDEX `tasks_agent_status` ON `tasks` (`agent_id`, `status`) WHERE `agent_id` IS NOT NULL;
--> statement-breakpoint
DROP INDEX `tasks_finished`;
--> statement-breakpoint
CREATE INDEX `tasks_finished` ON `tasks` (`finished_at`, `id`) WHERE `finished_at` IS NOT NULL;
--> statement-breakpoint
DROP INDEX `tasks_idempotency`;
--> statement-breakpoint
CREATE UNIQUE INDEX `tasks_idempotency` ON `tasks` (`created_by`, `idempotency_key`) WHERE `idempotency_key` IS NOT NULL;
