import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useHarness } from './test-support.ts';

const ctx = useHarness();

describe('QueueAdapter.add', () => {
  it('sends the adds of one turn of the event loop to Redis in one write, and every job lands', async () => {
    const queues = ctx.h.resources.queues;
    await queues.add('q', { taskId: 'tsk_warm', turn: 1 }, { priority: 0 }); // the queue's scripts are loaded
    const socket = (queues as unknown as { connection: { stream: Socket } }).connection.stream;
    let writes = 0;
    for (const method of ['_write', '_writev'] as const) {
      const original = socket[method]!.bind(socket) as (...args: unknown[]) => void;
      (socket as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        writes++;
        original(...args);
      };
    }
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) => queues.add('q', { taskId: `tsk_${i}`, turn: 1 }, { priority: 0 })),
    );
    expect(writes).toBe(1);
    for (const id of ids) expect(await queues.exists('q', id)).toBe(true);
  });
});
