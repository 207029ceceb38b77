import { randomUUID } from 'node:crypto';

/** What a turn's job carries: the task and its turn. */
export interface TurnJobData {
  taskId: string;
  turn: number;
}

/** A fresh id for a turn's job: the task, the turn and a random part. */
export function newJobId(data: TurnJobData): string {
  return `${data.taskId}-${data.turn}-${randomUUID().slice(0, 8)}`;
}

/** Queue names carry a Redis Cluster hash tag and no `:` (BullMQ's key separator). */
export function workspaceQueueName(workspaceId: string): string {
  return `{ws-${workspaceId}}`;
}

export function poolQueueName(teamId: string): string {
  return `{pool-${teamId}}`;
}

/** Higher Switchyard priority runs first; BullMQ runs lower numbers first (1 is highest). */
export function bullPriority(priority: number): number {
  return Math.max(1, 1001 - priority);
}
