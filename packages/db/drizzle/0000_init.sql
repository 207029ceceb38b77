CREATE TABLE `agents` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`hostname` text NOT NULL,
	`agent_version` text NOT NULL,
	`claude_version` text,
	`tmux_version` text,
	`simulated` integer DEFAULT false NOT NULL,
	`slots` integer NOT NULL,
	`free_slots` integer NOT NULL,
	`workdir_roots` text NOT NULL,
	`problems` text NOT NULL,
	`last_seen_at` integer NOT NULL,
	`registered_at` integer NOT NULL,
	`lost_at` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `agents_workspace` ON `agents` (`workspace_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ts` integer NOT NULL,
	`actor` text,
	`team_id` text,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text,
	`details` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_ts` ON `audit_log` (`ts`);--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `output_lines` (
	`task_id` text NOT NULL,
	`seq` integer NOT NULL,
	`turn` integer NOT NULL,
	`ts` integer NOT NULL,
	`line` text NOT NULL,
	PRIMARY KEY(`task_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `task_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`task_id` text NOT NULL,
	`ts` integer NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`reason` text,
	`actor` text
);
--> statement-breakpoint
CREATE INDEX `task_events_task` ON `task_events` (`task_id`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`workspace_id` text,
	`status` text NOT NULL,
	`prompt` text NOT NULL,
	`workdir` text NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`labels` text DEFAULT '{}' NOT NULL,
	`options` text NOT NULL,
	`max_duration_sec` integer,
	`idle_timeout_sec` integer,
	`session_id` text NOT NULL,
	`current_turn` integer DEFAULT 1 NOT NULL,
	`exit_code` integer,
	`result` text,
	`is_error` integer,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`num_turns` integer DEFAULT 0 NOT NULL,
	`duration_ms` integer DEFAULT 0 NOT NULL,
	`usage` text,
	`todos` text,
	`error_code` text,
	`error_message` text,
	`rate_limited_until` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL,
	`agent_id` text,
	`job_id` text,
	`queue_name` text,
	`lease_token` text,
	`turn_started` integer DEFAULT false NOT NULL,
	`kill_requested_at` integer,
	`kill_reason` text,
	`idempotency_key` text,
	`request_hash` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`queued_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tasks_status` ON `tasks` (`status`);--> statement-breakpoint
CREATE INDEX `tasks_workspace_status` ON `tasks` (`workspace_id`,`status`);--> statement-breakpoint
CREATE INDEX `tasks_team_status` ON `tasks` (`team_id`,`status`);--> statement-breakpoint
CREATE INDEX `tasks_created` ON `tasks` (`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `tasks_idempotency` ON `tasks` (`created_by`,`idempotency_key`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`max_running` integer,
	`max_queued` integer,
	`tasks_per_day` integer,
	`monthly_budget_usd` real,
	`rate_limited_until` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `teams_name_unique` ON `teams` (`name`);--> statement-breakpoint
CREATE TABLE `tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`team_id` text,
	`workspace_id` text,
	`default_workspace_id` text,
	`hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`expires_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`default_workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tokens_hash_unique` ON `tokens` (`hash`);--> statement-breakpoint
CREATE TABLE `turns` (
	`task_id` text NOT NULL,
	`n` integer NOT NULL,
	`prompt` text NOT NULL,
	`status` text NOT NULL,
	`outcome` text,
	`exit_code` integer,
	`signal` text,
	`result` text,
	`is_error` integer,
	`cost_usd` real,
	`num_turns` integer,
	`duration_ms` integer,
	`summary` text,
	`reason` text,
	`start_seq` integer,
	`end_seq` integer,
	`agent_id` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	PRIMARY KEY(`task_id`, `n`),
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`team_id` text NOT NULL,
	`max_concurrency` integer DEFAULT 1 NOT NULL,
	`paused` integer DEFAULT false NOT NULL,
	`pool` integer DEFAULT false NOT NULL,
	`rate_limit_scope` text DEFAULT 'workspace' NOT NULL,
	`labels` text DEFAULT '{}' NOT NULL,
	`workdir_roots` text NOT NULL,
	`rate_limited_until` integer,
	`backoff_level` integer DEFAULT 0 NOT NULL,
	`last_grant_at` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workspaces_name_unique` ON `workspaces` (`name`);--> statement-breakpoint
CREATE INDEX `workspaces_team` ON `workspaces` (`team_id`);