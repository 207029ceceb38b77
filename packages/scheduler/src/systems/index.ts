import { AdmissionSystem } from './admission.ts';
import { BackoffSystem } from './backoff.ts';
import { HeartbeatSystem } from './heartbeat.ts';
import { JobSystem } from './jobs.ts';
import { KillSystem } from './kill.ts';
import { LeasingSystem } from './leasing.ts';
import { Reconciler } from './reconciler.ts';
import type { SchedulerResources } from './resources.ts';
import { SweepSystem } from './sweeps.ts';
import { TurnResults } from './turn-results.ts';
import { WorkspaceState } from './workspace-state.ts';

export type Systems = ReturnType<typeof createSystems>;

/** Every system over one resource bag, each handed the siblings it names. */
export function createSystems(r: SchedulerResources) {
  const backoff = new BackoffSystem(r);
  const workspaces = new WorkspaceState(r, backoff);
  const jobs = new JobSystem(r, workspaces);
  return {
    backoff,
    workspaces,
    jobs,
    admission: new AdmissionSystem(r, jobs),
    leasing: new LeasingSystem(r, workspaces),
    heartbeat: new HeartbeatSystem(r, jobs),
    turns: new TurnResults(r, jobs, backoff, workspaces),
    kill: new KillSystem(r, jobs),
    sweeps: new SweepSystem(r, jobs, workspaces),
    reconciler: new Reconciler(r, jobs),
  };
}
