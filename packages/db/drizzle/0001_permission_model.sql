-- The permission model (issue #10): each workspace's ceiling and admin-only options, and the
-- agent's tmux socket for the attach command. Additive only; the defaults keep every workspace
-- created by v0.1.0 working as before, except bypassPermissions, which an admin now opts into.
ALTER TABLE `workspaces` ADD `permission_modes` text DEFAULT '["plan","dontAsk","default","manual","acceptEdits","auto"]' NOT NULL;
--> statement-breakpoint
ALTER TABLE `workspaces` ADD `default_permission_mode` text DEFAULT 'default' NOT NULL;
--> statement-breakpoint
ALTER TABLE `workspaces` ADD `allowed_tools` text DEFAULT '["Agent","Bash","BashOutput","Edit","ExitPlanMode","Glob","Grep","KillShell","LS","MultiEdit","NotebookEdit","NotebookRead","Read","Skill","SlashCommand","Task","TodoWrite","WebFetch","WebSearch","Write"]' NOT NULL;
--> statement-breakpoint
ALTER TABLE `workspaces` ADD `disallowed_tools` text DEFAULT '[]' NOT NULL;
--> statement-breakpoint
ALTER TABLE `workspaces` ADD `add_dirs` text DEFAULT '[]' NOT NULL;
--> statement-breakpoint
ALTER TABLE `workspaces` ADD `mcp_config` text;
--> statement-breakpoint
ALTER TABLE `workspaces` ADD `settings` text;
--> statement-breakpoint
ALTER TABLE `workspaces` ADD `system_prompt` text;
--> statement-breakpoint
ALTER TABLE `workspaces` ADD `models` text DEFAULT '[]' NOT NULL;
--> statement-breakpoint
ALTER TABLE `agents` ADD `tmux_socket` text;
