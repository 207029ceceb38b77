-- Hot paths (issue #12). Additive.
--
-- Admission reads a team's tasks of the day from `team_daily` (migration 0002) instead of
-- counting its history, so the rollup must also forget a task whose create was withdrawn (Redis
-- refused its job and every row the create wrote was deleted again): one fewer that day.
CREATE TRIGGER `team_daily_task_withdrawn` AFTER DELETE ON `tasks` BEGIN
  UPDATE `team_daily` SET `tasks` = max(`tasks` - 1, 0), `cost_usd` = `cost_usd` - old.`cost_usd`
  WHERE `team_id` = old.`team_id` AND `day` = date(old.`created_at` / 1000, 'unixepoch');
END;
