-- Dashboard (issue #14). Additive: three tables and the triggers that keep them in step with
-- `tasks` and `turns` in the same transaction as each change.
--
-- task_fts: full-text index over every prompt (first and follow-ups) and every turn's result,
-- one row per task keyed by the task's rowid, so a search never scans `tasks`.
CREATE VIRTUAL TABLE `task_fts` USING fts5(`prompt`, `result`, tokenize = 'unicode61 remove_diacritics 2');
--> statement-breakpoint
INSERT INTO `task_fts` (`rowid`, `prompt`, `result`) SELECT `rowid`, `prompt`, coalesce(`result`, '') FROM `tasks`;
--> statement-breakpoint
CREATE TRIGGER `task_fts_insert` AFTER INSERT ON `tasks` BEGIN
  INSERT INTO `task_fts` (`rowid`, `prompt`, `result`) VALUES (new.`rowid`, new.`prompt`, coalesce(new.`result`, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `task_fts_result` AFTER UPDATE OF `result` ON `tasks`
WHEN new.`result` IS NOT NULL AND new.`result` IS NOT old.`result` BEGIN
  UPDATE `task_fts` SET `result` = trim(`result` || char(10) || new.`result`) WHERE `rowid` = new.`rowid`;
END;
--> statement-breakpoint
CREATE TRIGGER `task_fts_follow_up` AFTER INSERT ON `turns` WHEN new.`n` > 1 BEGIN
  UPDATE `task_fts` SET `prompt` = `prompt` || char(10) || new.`prompt`
  WHERE `rowid` = (SELECT `rowid` FROM `tasks` WHERE `id` = new.`task_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `task_fts_delete` AFTER DELETE ON `tasks` BEGIN
  DELETE FROM `task_fts` WHERE `rowid` = old.`rowid`;
END;
--> statement-breakpoint
-- workspace_samples: queue depth and running tasks per workspace, sampled by the API about once
-- a minute and kept for a day (the Fleet page charts the last hour).
CREATE TABLE `workspace_samples` (
  `workspace_id` text NOT NULL,
  `ts` integer NOT NULL,
  `queued` integer NOT NULL,
  `running` integer NOT NULL,
  PRIMARY KEY (`workspace_id`, `ts`)
);
--> statement-breakpoint
CREATE INDEX `workspace_samples_ts` ON `workspace_samples` (`ts`);
--> statement-breakpoint
-- team_daily: tasks created and spend recorded per team per UTC day, kept for 400 days.
CREATE TABLE `team_daily` (
  `team_id` text NOT NULL,
  `day` text NOT NULL,
  `tasks` integer NOT NULL DEFAULT 0,
  `cost_usd` real NOT NULL DEFAULT 0,
  PRIMARY KEY (`team_id`, `day`)
);
--> statement-breakpoint
INSERT INTO `team_daily` (`team_id`, `day`, `tasks`, `cost_usd`)
SELECT `team_id`, date(`created_at` / 1000, 'unixepoch'), count(*), sum(`cost_usd`) FROM `tasks` GROUP BY 1, 2;
--> statement-breakpoint
CREATE TRIGGER `team_daily_task` AFTER INSERT ON `tasks` BEGIN
  INSERT INTO `team_daily` (`team_id`, `day`, `tasks`, `cost_usd`)
  VALUES (new.`team_id`, date(new.`created_at` / 1000, 'unixepoch'), 1, new.`cost_usd`)
  ON CONFLICT (`team_id`, `day`) DO UPDATE SET `tasks` = `tasks` + 1, `cost_usd` = `cost_usd` + excluded.`cost_usd`;
END;
--> statement-breakpoint
CREATE TRIGGER `team_daily_spend` AFTER UPDATE OF `cost_usd` ON `tasks`
WHEN new.`cost_usd` <> old.`cost_usd` BEGIN
  INSERT INTO `team_daily` (`team_id`, `day`, `tasks`, `cost_usd`)
  VALUES (new.`team_id`, date(new.`updated_at` / 1000, 'unixepoch'), 0, new.`cost_usd` - old.`cost_usd`)
  ON CONFLICT (`team_id`, `day`) DO UPDATE SET `cost_usd` = `cost_usd` + excluded.`cost_usd`;
END;
