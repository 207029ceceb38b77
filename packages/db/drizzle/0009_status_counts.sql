-- Tasks by status kept as counters (issue #12: cost grows with work, not with history). Additive.
--
-- `/metrics` reported tasks by status with a GROUP BY over `tasks_status`: a scan of every task
-- ever created, 53 ms at a million tasks, on the API's event loop once per scrape period. The
-- counters change in the same statement as the task, by trigger, so they never disagree with it.
CREATE TABLE `task_status_counts` (
  `status` text PRIMARY KEY NOT NULL,
  `n` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `task_status_counts` (`status`, `n`) SELECT `status`, count(*) FROM `tasks` GROUP BY `status`;
--> statement-breakpoint
CREATE TRIGGER `task_status_counts_insert` AFTER INSERT ON `tasks` BEGIN
  INSERT INTO `task_status_counts` (`status`, `n`) VALUES (new.`status`, 1)
  ON CONFLICT (`status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `task_status_counts_update` AFTER UPDATE OF `status` ON `tasks`
WHEN new.`status` <> old.`status` BEGIN
  UPDATE `task_status_counts` SET `n` = `n` - 1 WHERE `status` = old.`status`;
  INSERT INTO `task_status_counts` (`status`, `n`) VALUES (new.`status`, 1)
  ON CONFLICT (`status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `task_status_counts_delete` AFTER DELETE ON `tasks` BEGIN
  UPDATE `task_status_counts` SET `n` = `n` - 1 WHERE `status` = old.`status`;
END;
