import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Dashboard: text search and the series behind its charts (/v1/search, /v1/stats)
// ---------------------------------------------------------------------------------------------

export const WorkspaceSampleSchema = z.object({
  ts: z.string(),
  queued: z.int(),
  running: z.int(),
});
export type WorkspaceSample = z.infer<typeof WorkspaceSampleSchema>;

/** Queue depth and running tasks per workspace, from samples the API keeps (a day's worth). */
export const WorkspaceSeriesSchema = z
  .object({
    since: z.string(),
    until: z.string(),
    /** Samples are taken when the load changes, at most one a minute; between two, it held. */
    intervalSec: z.int(),
    workspaces: z.array(
      z.object({
        workspace: z.string(),
        team: z.string(),
        samples: z.array(WorkspaceSampleSchema),
      }),
    ),
  })
  .meta({ id: 'WorkspaceSeries' });
export type WorkspaceSeries = z.infer<typeof WorkspaceSeriesSchema>;

export const TeamDaySchema = z.object({
  /** UTC day, YYYY-MM-DD. */
  day: z.string(),
  tasks: z.int(),
  costUsd: z.number(),
});
export type TeamDay = z.infer<typeof TeamDaySchema>;

/** Tasks created and spend per team per UTC day, from rollups kept with each change (400 days). */
export const TeamDailySchema = z
  .object({
    days: z.array(z.string()),
    teams: z.array(z.object({ team: z.string(), days: z.array(TeamDaySchema) })),
  })
  .meta({ id: 'TeamDaily' });
export type TeamDaily = z.infer<typeof TeamDailySchema>;
