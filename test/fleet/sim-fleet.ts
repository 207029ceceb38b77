/**
 * A fleet of simulated agents speaking the real agent protocol over real HTTP: each its own
 * workspace, agent token and HandAgent (register, long-poll sync, started, output, finished),
 * with one slot. Used by the fleet test and `npm run bench:fleet`.
 */
import { setMaxListeners } from 'node:events';
import { Agent, request } from 'node:http';
import type { Lease, SyncResponse } from '@switchyard/core';
import type { TestApi } from '../support/api.ts';
import { HandAgent, sj } from '../support/hand-agent.ts';

type Api = Pick<TestApi, 'call'>;
type Call = TestApi['call'];

/**
 * `call` over one keep-alive connection of its own, as a real agent (a process of its own) has.
 * Thousands of simulated agents sharing fetch's pool made it open connections beyond the
 * requests in flight (20,000 descriptors for 10,000 agents, then EMFILE on both sides).
 */
function oneConnection(base: string, signal: AbortSignal): Call {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return (path, init = {}) =>
    new Promise((resolve, reject) => {
      const body = init.json !== undefined ? JSON.stringify(init.json) : undefined;
      const headers: Record<string, string> = { authorization: `Bearer ${init.token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const req = request(`${base}${path}`, { method: init.method ?? 'GET', headers, agent, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve(new Response(res.statusCode === 204 ? null : Buffer.concat(chunks), { status: res.statusCode })));
      });
      req.on('error', reject);
      req.end(body);
    });
}

export interface FleetOptions {
  /** Team the fleet's workspaces are created in (created if missing). */
  team: string;
  size: number;
  /** Every how many workspaces one is a pool workspace (0: none). */
  poolEvery?: number;
  /** How long a simulated turn runs before it finishes. */
  workMs?: number;
  /** The wait each idle sync asks for. */
  waitMs?: number;
}

export interface FleetStats {
  /** Leases received, by task: a task leased twice ran twice. */
  leases: Map<string, number>;
  /** When each task's lease reached its agent. */
  leasedAt: Map<string, number>;
  /** When each task's finished report was answered `completed`. */
  completedAt: Map<string, number>;
  syncs: number;
  /** Agents that have sent their first sync. */
  started: number;
  /** Syncs answered empty more than a second after the wait they asked for ended. */
  lateSyncs: number;
  errors: number;
  lastError: string | null;
}

/** An error and, for fetch's "fetch failed", what failed underneath. */
const describe = (err: unknown): string => {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause ? `${e.message}: ${e.cause.code ?? e.cause.message}` : e.message;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items`, `limit` at a time. */
export async function inBatches<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function ok<T>(res: Response, what: string): Promise<T> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export class SimFleet {
  readonly stats: FleetStats = { leases: new Map(), leasedAt: new Map(), completedAt: new Map(), syncs: 0, started: 0, lateSyncs: 0, errors: 0, lastError: null };
  readonly workspaces: { name: string; pool: boolean }[] = [];
  private readonly abort = new AbortController();
  private readonly agents: HandAgent[] = [];
  private loops: Promise<void>[] = [];

  private constructor(
    private readonly api: Api,
    private readonly opts: Required<FleetOptions>,
  ) {
    // One signal cuts every request of the fleet: thousands listen to it at once.
    setMaxListeners(0, this.abort.signal);
  }

  /** Creates the team's workspaces and their tokens, and registers one agent in each. */
  static async create(api: Pick<TestApi, 'call' | 'url'>, options: FleetOptions): Promise<SimFleet> {
    const fleet = new SimFleet(api, { poolEvery: 0, workMs: 0, waitMs: 20_000, ...options });
    const { team, size, poolEvery } = fleet.opts;
    const made = await api.call('/v1/teams', { method: 'POST', json: { name: team } });
    if (made.status !== 201 && made.status !== 409) throw new Error(`team: ${made.status}`);
    const names = Array.from({ length: size }, (_, i) => ({ name: `${team}-${i}`, pool: poolEvery > 0 && i % poolEvery === 0 }));
    await inBatches(names, 32, async (ws) => {
      await ok(await api.call('/v1/workspaces', { method: 'POST', json: { name: ws.name, team, workdirRoots: ['/tmp'], pool: ws.pool } }), 'workspace');
      const { token } = await ok<{ token: string }>(await api.call(`/v1/workspaces/${ws.name}/agent-token`, { method: 'POST' }), 'token');
      // Every call of the fleet can be cut short by stop(): a long-poll does not hold it up.
      const agent = new HandAgent({ call: oneConnection(api.url, fleet.abort.signal), agentTokenFile: '' }, token);
      await agent.register(`sim-${ws.name}`);
      fleet.workspaces.push(ws);
      fleet.agents.push(agent);
    });
    return fleet;
  }

  /** Every agent long-polls and runs what it is leased until stop(). */
  start(): void {
    this.loops = this.agents.map((agent) => this.run(agent));
  }

  /** Cuts every long-poll and waits for the agents to end. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(agent: HandAgent): Promise<void> {
    // Spread the first syncs, as pods that start at different times do.
    await sleep(Math.random() * 500);
    this.stats.started += 1;
    while (!this.stopped) {
      try {
        const sent = Date.now();
        const res: SyncResponse = await agent.sync(1, undefined, this.opts.waitMs);
        this.stats.syncs += 1;
        const empty = res.leases.length === 0 && res.commands.length === 0;
        if (empty && Date.now() - sent > this.opts.waitMs + 1_000) this.stats.lateSyncs += 1;
        for (const lease of res.leases) await this.turn(agent, lease);
      } catch (err) {
        if (this.stopped) return;
        this.stats.errors += 1;
        this.stats.lastError = describe(err);
        // Back off with jitter, as the real agent does when the API is slow.
        await sleep(500 + Math.random() * 1_000);
      }
    }
  }

  private async turn(agent: HandAgent, lease: Lease): Promise<void> {
    this.stats.leases.set(lease.taskId, (this.stats.leases.get(lease.taskId) ?? 0) + 1);
    this.stats.leasedAt.set(lease.taskId, Date.now());
    agent.hold(lease);
    await this.retried(() => agent.start(lease.taskId));
    if (this.opts.workMs > 0) await sleep(this.opts.workMs);
    await this.retried(() => agent.emit(lease.taskId, [sj.init(), sj.result('done')]));
    const status = await this.retried(() => agent.finish(lease.taskId));
    if (status === 'completed') this.stats.completedAt.set(lease.taskId, Date.now());
  }

  /** A turn's report, sent again when the connection failed, as the real agent does. */
  private async retried<T>(send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (err) {
        if (this.stopped || attempt >= 5) throw err;
        this.stats.errors += 1;
        this.stats.lastError = describe(err);
        await sleep(200 * attempt);
      }
    }
  }
}

/** Creates a task in a workspace of the fleet (or, for a pool workspace, in the team's pool). */
export async function createFleetTask(api: Api, fleet: SimFleet, team: string, i: number): Promise<{ id: string; createdAt: number; answeredAt: number }> {
  const ws = fleet.workspaces[i % fleet.workspaces.length]!;
  const where = ws.pool ? { team } : { workspace: ws.name };
  const createdAt = Date.now();
  const task = await ok<{ id: string }>(await api.call('/v1/tasks', { method: 'POST', json: { ...where, prompt: `fleet task ${i}`, workdir: '/tmp' } }), 'task');
  return { id: task.id, createdAt, answeredAt: Date.now() };
}
