import { EventEmitter } from 'node:events';
import type { TaskRow } from '@switchyard/db';

export interface HubEvents {
  /** A task's row changed (status, result, lease…). */
  task: [task: TaskRow];
  /** New contiguous output is stored for a task, up to `lastSeq`. */
  output: [info: { taskId: string; lastSeq: number }];
  agent: [info: { agentId: string; workspaceId: string; online: boolean }];
  workspace: [info: { workspaceId: string; teamId: string; rateLimitedUntil: number | null }];
  /** Something an agent of this workspace should hear about: new work, a kill. */
  wake: [workspaceId: string];
}

/**
 * The in-process bus between the scheduler and whoever waits on it: agents' long-polls, SSE
 * streams. One per API process; nothing in it survives a restart, and nothing needs to.
 */
export class Hub extends EventEmitter<HubEvents> {
  constructor() {
    super();
    this.setMaxListeners(0);
  }

  /** Resolves when the workspace is woken, after `ms`, or when `signal` aborts. */
  waitForWake(workspaceId: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.off('wake', onWake);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const onWake = (id: string): void => {
        if (id === workspaceId) done();
      };
      const timer = setTimeout(done, ms);
      this.on('wake', onWake);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
