import { EventEmitter } from 'node:events';
import type { ApprovalRow, TaskRow } from '@switchyard/db';

export interface HubEvents {
  /** A task's row changed (status, result, lease…). */
  task: [task: TaskRow];
  /** New contiguous output is stored for a task, up to `lastSeq`. */
  output: [info: { taskId: string; lastSeq: number }];
  agent: [info: { agentId: string; workspaceId: string; online: boolean }];
  workspace: [info: { workspaceId: string; teamId: string; rateLimitedUntil: number | null }];
  /** An approval was made or changed status (#15): fleet SSE and the agent's long-poll hear it. */
  approval: [approval: ApprovalRow];
  /** Something an agent of this workspace should hear about: new work, a kill. */
  wake: [workspaceId: string];
}

/** What a waiting long-poll may be woken for besides its own workspace's events. */
export interface WaitOptions {
  /** The wake counts read before the sync's last look (`wakeMark`): a wake since then returns at once. */
  since?: WakeMark;
  /** The team whose pool work this waiter could take now (a pool workspace with free slots). */
  poolOf?: string | null;
}

/** How many wakes a workspace and its team pool had, read before a sync looks at its work. */
export interface WakeMark {
  workspace: number;
  pool: number;
}

type Waiter = () => void;

/**
 * The in-process bus between the scheduler and whoever waits on it: agents' long-polls, SSE
 * streams. One per API process; nothing in it survives a restart, and nothing needs to.
 *
 * Waiting long-polls are kept by workspace (and, when they could take pool work, by team), so a
 * wake reaches exactly the syncs it concerns: O(1) per event whatever the size of the fleet.
 */
export class Hub extends EventEmitter<HubEvents> {
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** Waiters that could take a pool task now, oldest first, by team. */
  private readonly poolWaiters = new Map<string, Set<Waiter>>();
  /** Wakes so far, by workspace and by `pool:<team>`: a wake that lands mid-look is not lost. */
  private readonly counts = new Map<string, number>();

  constructor() {
    super();
    this.setMaxListeners(0);
    this.on('wake', (workspaceId) => this.wakeAll(this.waiters, workspaceId, workspaceId));
  }

  /** The wake counts of a workspace and its team pool, to pass to `waitForWake` as `since`. */
  wakeMark(workspaceId: string, poolOf?: string | null): WakeMark {
    const pool = poolOf ? (this.counts.get(`pool:${poolOf}`) ?? 0) : 0;
    return { workspace: this.counts.get(workspaceId) ?? 0, pool };
  }

  /**
   * Pool work of a team is waiting: wakes up to `n` long-polls that could take it, those that
   * waited longest first — not every pool workspace of the team. A sync that leases from the pool
   * wakes the next one, so a burst of pool tasks spreads without a herd.
   */
  wakePool(teamId: string, n = 1): void {
    const key = `pool:${teamId}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const set = this.poolWaiters.get(teamId);
    if (!set) return;
    for (const waiter of [...set].slice(0, n)) waiter();
  }

  /**
   * Resolves true when the workspace is woken (or was, since `opts.since`), false after `ms` or
   * when `signal` aborts.
   */
  waitForWake(workspaceId: string, ms: number, signal?: AbortSignal, opts: WaitOptions = {}): Promise<boolean> {
    const { since, poolOf } = opts;
    if (since) {
      const now = this.wakeMark(workspaceId, poolOf);
      if (now.workspace !== since.workspace || now.pool !== since.pool) return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const end = (woken: boolean): void => {
        clearTimeout(timer);
        this.remove(this.waiters, workspaceId, wake);
        if (poolOf) this.remove(this.poolWaiters, poolOf, wake);
        signal?.removeEventListener('abort', quit);
        resolve(woken);
      };
      const wake = (): void => end(true);
      const quit = (): void => end(false);
      const timer = setTimeout(quit, ms);
      this.add(this.waiters, workspaceId, wake);
      if (poolOf) this.add(this.poolWaiters, poolOf, wake);
      signal?.addEventListener('abort', quit, { once: true });
    });
  }

  /** Long-polls waiting now, for a workspace (or all): what a test or a metric looks at. */
  waiting(workspaceId?: string): number {
    if (workspaceId) return this.waiters.get(workspaceId)?.size ?? 0;
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }

  private wakeAll(map: Map<string, Set<Waiter>>, key: string, countKey: string): void {
    this.counts.set(countKey, (this.counts.get(countKey) ?? 0) + 1);
    const set = map.get(key);
    if (set) for (const waiter of [...set]) waiter();
  }

  private add(map: Map<string, Set<Waiter>>, key: string, waiter: Waiter): void {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(waiter);
  }

  private remove(map: Map<string, Set<Waiter>>, key: string, waiter: Waiter): void {
    const set = map.get(key);
    if (!set?.delete(waiter)) return;
    if (set.size === 0) map.delete(key);
  }
}
