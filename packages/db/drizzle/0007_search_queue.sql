-- Search indexing off the create path (issue #12). Additive.
--
-- Indexing a new task in the FTS5 index inside its create transaction was a fifth of a create's
-- cost, and grew with the index. A create now only notes its rowid in `task_fts_pending` (a
-- small table); `indexPendingSearch` indexes the noted tasks many per transaction, on a timer
-- and before every search, so a search still finds every task created before it. The result
-- and follow-up triggers of 0002 are unchanged: for a task not yet indexed they change nothing,
-- and its indexing reads all its turns' prompts and results.
CREATE TABLE `task_fts_pending` (`task_rowid` integer PRIMARY KEY NOT NULL);
--> statement-breakpoint
DROP TRIGGER `task_fts_insert`;
--> statement-breakpoint
CREATE TRIGGER `task_fts_pending_insert` AFTER INSERT ON `tasks` BEGIN
  INSERT INTO `task_fts_pending` (`task_rowid`) VALUES (new.`rowid`);
END;
--> statement-breakpoint
CREATE TRIGGER `task_fts_pending_delete` AFTER DELETE ON `tasks` BEGIN
  DELETE FROM `task_fts_pending` WHERE `task_rowid` = old.`rowid`;
END;
