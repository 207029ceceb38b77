-- Retention (issue #16). Additive.
--
-- Retention deletes the rows of tasks that finished long ago. Their day in `team_daily` must
-- keep counting them: only a create withdrawn before it ever ran (never finished) is forgotten.
DROP TRIGGER IF EXISTS `team_daily_task_withdrawn`;
--> statement-breakpoint
CREATE TRIGGER `team_daily_task_withdrawn` AFTER DELETE ON `tasks`
WHEN old.`status` NOT IN ('completed', 'failed', 'killed', 'lost', 'cancelled') BEGIN
  UPDATE `team_daily` SET `tasks` = max(`tasks` - 1, 0), `cost_usd` = `cost_usd` - old.`cost_usd`
  WHERE `team_id` = old.`team_id` AND `day` = date(old.`created_at` / 1000, 'unixepoch');
END;
--> statement-breakpoint
-- Retention walks finished tasks oldest first.
CREATE INDEX IF NOT EXISTS `tasks_finished` ON `tasks` (`finished_at`, `id`);
--> statement-breakpoint
-- 0002 indexed each existing task's first prompt only: follow-ups sent before it (under v0.1.0)
-- were not searchable. The same text the follow-up trigger builds, for every task that has them.
UPDATE `task_fts` SET `prompt` = (
  SELECT t.`prompt` || char(10) || (
    SELECT group_concat(`prompt`, char(10)) FROM (SELECT `prompt` FROM `turns` WHERE `task_id` = t.`id` AND `n` > 1 ORDER BY `n`)
  ) FROM `tasks` t WHERE t.`rowid` = `task_fts`.`rowid`
)
WHERE `rowid` IN (SELECT t.`rowid` FROM `tasks` t WHERE EXISTS (SELECT 1 FROM `turns` WHERE `task_id` = t.`id` AND `n` > 1));
