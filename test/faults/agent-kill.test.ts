// The agent killed -9 mid-turn: restarted on the same state it re-adopts the live tmux session
// and ships every line once. Killed -9 together with its tmux session and its state deleted, it
// comes back knowing nothing of the turn: the API settles it as lost, with a reason, and the
// workspace takes the next task.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTaskEvents } from '@switchyard/db';
import { cleanupAgentDir, startAgent, type TestAgent } from '../support/agent.ts';
import { startApi, type TestApi } from '../support/api.ts';
import { createTask, getTask, outputOnceInOrder, range, recordScenario, runsIn, settled, simLineNumbers, until } from '../support/faults.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';

let redis: RedisServer;
let api: TestApi;
let agent: TestAgent;

beforeAll(async () => {
  redis = await startRedis();
  api = await startApi({ redisUrl: redis.url, scheduler: { forgottenTurnMs: 3_000 } });
  agent = startAgent({ url: api.url, tokenFile: api.agentTokenFile, slots: 1 });
});
afterAll(async () => {
  await agent?.stop();
  if (agent) cleanupAgentDir(agent.dir);
  await api?.stop();
  await redis?.stop();
});

const ended = ['completed', 'failed', 'lost', 'killed', 'cancelled'];
const restart = () => (agent = startAgent({ url: api.url, tokenFile: api.agentTokenFile, dir: agent.dir, slots: 1 }));

/** SIGKILL to every process of a turn: its tmux server and session, the runner, claude. */
function killTurnProcesses(dir: string, taskId: string): number {
  let killed = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (args.includes(taskId) || args.includes(dir) || env.includes(dir)) {
        process.kill(Number(pid), 'SIGKILL');
        killed++;
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return killed;
}

describe('the agent killed -9', () => {
  it('re-adopts its turn when restarted on its state: every line once, in order', async () => {
    const began = Date.now();
    await until(async () => ((await (await api.call('/v1/workspaces/local')).json()) as { ready: boolean }).ready, 'workspace ready');
    const id = await createTask(api.call, '@sim lines 50 40\n@sim sleep 4\n@sim lines 50 40\n@sim say the end');
    await until(async () => (await getTask(api.call, id)).lastSeq >= 50, 'the first lines stored');
    await agent.crash();
    restart();
    const done = await settled(api.call, id, ended);
    expect(done.status).toBe('completed');
    const lines = await outputOnceInOrder(api.call, id);
    expect(await simLineNumbers(api.call, id)).toEqual([...range(50), ...range(50)]);
    const runs = runsIn(listTaskEvents(api.db.db, id));
    expect(runs).toBe(1);
    recordScenario({ scenario: 'agent-kill', faults: ['agent kill -9', 'agent restart on its state'], tasks: 1, lines, lost: 0, doubled: runs - 1, seconds: Math.round((Date.now() - began) / 1000) });
  });

  it('with its tmux session and state gone: the turn is lost with a reason, and the next task runs', async () => {
    const began = Date.now();
    const id = await createTask(api.call, '@sim lines 10 40\n@sim sleep 120');
    await until(async () => (await getTask(api.call, id)).lastSeq >= 10, 'the first lines stored');
    await agent.crash();
    expect(killTurnProcesses(agent.dir, id)).toBeGreaterThan(0);
    rmSync(agent.dir, { recursive: true, force: true });
    restart();
    const next = await createTask(api.call, '@sim say next');
    const lost = await settled(api.call, id, ended, 60_000);
    expect(lost.status).toBe('lost');
    expect(lost.error?.message).toContain('agent no longer reports this turn');
    expect(listTaskEvents(api.db.db, id).at(-1)).toMatchObject({ toStatus: 'lost', reason: 'agent no longer reports this turn' });
    expect((await settled(api.call, next, ended, 30_000)).result).toBe('next');
    const lines = await outputOnceInOrder(api.call, id);
    recordScenario({
      scenario: 'agent-and-tmux-kill',
      faults: ['agent kill -9', 'tmux session and runner kill -9', 'agent state dir deleted'],
      tasks: 2,
      lines,
      lost: 1,
      lostExpected: 1,
      doubled: runsIn(listTaskEvents(api.db.db, id)) - 1,
      seconds: Math.round((Date.now() - began) / 1000),
    });
  }, 90_000);
});
