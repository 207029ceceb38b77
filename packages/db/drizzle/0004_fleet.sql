-- An agent's sync reads its own dispatched and running tasks: by agent, not the whole fleet's.
CREATE INDEX IF NOT EXISTS `tasks_agent_status` ON `tasks` (`agent_id`,`status`);
