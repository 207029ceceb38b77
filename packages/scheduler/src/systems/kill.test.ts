import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAudit, listTurns, type AuditEntry } from '@switchyard/db';
import {
  createHarness,
  finished,
  startRedis,
  type Harness,
  type RedisServer,
} from '../test-support.ts';

let redis: RedisServer;
let h: Harness;
let t: number;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
beforeEach(async () => {
  t = Date.UTC(2030, 0, 15, 12);
  h = await createHarness(redis.url, () => t);
});
afterEach(async () => {
  await h?.close();
});

const audit = (targetId: string): AuditEntry => ({
  actor: 'ann',
  teamId: h.team.id,
  action: 'task.killed',
  targetType: 'task',
  targetId,
  details: {},
});

describe('kill', () => {
  it('cancels a queued task so it never runs, with the audit row', async () => {
    const task = await h.create();
    t += 1_000;
    const row = await h.sys.kill.kill(task.id, 'ann', undefined, audit(task.id));
    expect(row).toMatchObject({ status: 'cancelled', finishedAt: t, errorCode: 'cancelled' });
    expect(listTurns(h.db.db, task.id)[0]?.status).toBe('cancelled');
    expect(await h.resources.queues.exists(task.queueName!, task.jobId!)).toBe(false);
    expect(await h.sys.leasing.lease(h.agent.id, 1)).toEqual([]);
    expect(listAudit(h.db.db, { limit: 5 })).toEqual([
      expect.objectContaining({ targetId: task.id, ts: t }),
    ]);
  });

  it('asks the agent to stop a running task, with the audit row', async () => {
    const task = await h.create();
    await h.sys.leasing.lease(h.agent.id, 1);
    h.sys.turns.turnStarted(h.agent.id, task.id, 1);
    const row = await h.sys.kill.kill(task.id, 'ann', 'enough', audit(task.id));
    expect(row).toMatchObject({
      status: 'running',
      killRequestedAt: t,
      killReason: 'enough (ann)',
    });
    expect(listAudit(h.db.db, { limit: 5 })).toHaveLength(1);
  });

  it('leaves a finished task as it is but records the request', async () => {
    const task = await h.create();
    await h.sys.leasing.lease(h.agent.id, 1);
    h.sys.turns.turnStarted(h.agent.id, task.id, 1);
    await h.sys.turns.turnFinished(h.agent.id, task.id, finished(1));
    const row = await h.sys.kill.kill(task.id, 'ann', undefined, audit(task.id));
    expect(row.status).toBe('completed');
    expect(listAudit(h.db.db, { limit: 5 })).toHaveLength(1);
  });
});
