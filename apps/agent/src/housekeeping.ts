import { tmuxSessionName } from '@switchyard/core';
import type { AgentConfig } from './config.ts';
import type { Tmux } from './tmux.ts';
import type { AgentFiles } from './turn/index.ts';

export interface HousekeepingDeps {
  files: AgentFiles;
  config: Pick<AgentConfig, 'sessionRetentionSec' | 'dirRetentionSec'>;
  /** Whether a turn of the task is still running or unreported in this process. */
  busy: (taskId: string) => boolean;
  /** Called when a task's files are gone, so the agent drops its turns from memory. */
  forget: (taskId: string) => void;
  tmux: Pick<Tmux, 'kill'>;
}

/** Cleanup runs once a minute, or more often when retention is shorter than that. */
export const cleanupEveryMs = (c: Pick<AgentConfig, 'sessionRetentionSec'>) =>
  Math.max(1_000, Math.min(60_000, (c.sessionRetentionSec * 1000) / 2));

/** Closes finished panes after their retention and removes fully reported task dirs. */
export async function cleanupFinished(deps: HousekeepingDeps, now = Date.now()): Promise<void> {
  const { files, config } = deps;
  const mux = deps.tmux;
  for (const taskId of files.taskIds()) {
    const states = files.turnStates(taskId);
    if (states.some((s) => !s || (!s.reported && !s.dropped))) continue;
    const endedAt = Math.max(...states.map((s) => s!.endedAt ?? 0));
    if (now - endedAt > config.sessionRetentionSec * 1000 && !deps.busy(taskId)) {
      await mux.kill(tmuxSessionName(taskId));
    }
    if (now - endedAt > config.dirRetentionSec * 1000) {
      files.removeTask(taskId);
      deps.forget(taskId);
    }
  }
}
