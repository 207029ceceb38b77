-- Reserved: filled in by the change that owns it. Every migration after 0000 is additive.
CREATE TABLE IF NOT EXISTS `_sy_reserved_0002` (`x` integer);
--> statement-breakpoint
DROP TABLE `_sy_reserved_0002`;
