-- Listing tasks costs what a page returns (issue #12: cost grows with work, not with history).
-- Rebuilds three indexes of `tasks` and drops a fourth: a create writes one index entry fewer.
--
-- `GET /v1/tasks` for a team's token, or filtered by workspace or status, found the matching
-- tasks through an index on (team or workspace, status) and sorted every one of them for each
-- page: 1.3–2.1 s a page with a million tasks. Each index now also holds the list's order, so a
-- page reads at most its length per status and merges them (`listTasks`), 2–6 ms; the
-- reconciler reads live rows a page at a time by the same key, oldest first. A list of every team's tasks
-- is such a merge over `tasks_status` too, so `tasks_created` serves nothing.
DROP INDEX `tasks_status`;
--> statement-breakpoint
CREATE INDEX `tasks_status` ON `tasks` (`status`, `created_at`, `id`);
--> statement-breakpoint
DROP INDEX `tasks_team_status`;
--> statement-breakpoint
CREATE INDEX `tasks_team_status` ON `tasks` (`team_id`, `status`, `created_at`, `id`);
--> statement-breakpoint
DROP INDEX `tasks_workspace_status`;
--> statement-breakpoint
CREATE INDEX `tasks_workspace_status` ON `tasks` (`workspace_id`, `status`, `created_at`, `id`);
--> statement-breakpoint
DROP INDEX `tasks_created`;
