import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { waitFor } from '../support/agent.ts';
import { expectBuiltDashboard } from '../support/dashboard-page.ts';
import { processesUsing, processTreeOf, spawnNpmStart, type NpmStartProcess } from '../support/npm-start.ts';

type Instance = NpmStartProcess;

const started: Instance[] = [];

async function npmStart(): Promise<Instance> {
  const inst = await spawnNpmStart();
  started.push(inst);
  return inst;
}

/** Ctrl-C as a terminal sends it; resolves with how npm ended. */
async function stop(inst: Instance): Promise<{ code: number | null; signal: string | null }> {
  if (inst.proc.exitCode !== null) return { code: inst.proc.exitCode, signal: null };
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => inst.proc.once('exit', (code, signal) => r({ code, signal })));
  // npm forwards SIGTERM to the script; signal the process group as a terminal's Ctrl-C would.
  process.kill(-inst.proc.pid!, 'SIGINT');
  return exited;
}

afterAll(async () => {
  for (const inst of started) {
    if (inst.proc.exitCode === null) {
      try {
        process.kill(-inst.proc.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    rmSync(inst.dataDir, { recursive: true, force: true });
  }
});

/** Processes whose command line or environment names the data dir, for a failure message. */
const using = (dataDir: string): string[] => processesUsing(dataDir).map((p) => `${p.pid} ${p.args.slice(0, 120)}`);

/** The `node scripts/start.mjs` under the npm process. */
function startScriptPid(inst: Instance): number {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const under = new Set([inst.proc.pid!]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of rows) if (under.has(r.ppid) && !under.has(r.pid)) (under.add(r.pid), (grew = true));
  }
  const script = rows.find((r) => under.has(r.pid) && r.args.includes('scripts/start.mjs') && r.args.startsWith('node'));
  if (!script) throw new Error(`no start.mjs under npm ${inst.proc.pid}`);
  return script.pid;
}

describe('npm start', () => {
  it('brings up Redis, the API and a local agent; runs a task; stops cleanly on Ctrl-C', async () => {
    const [a, b] = await Promise.all([npmStart(), npmStart()]);
    for (const inst of [a!, b!]) {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${inst.port}/readyz`)).ok, 120_000, `instance on ${inst.port} ready; log:\n${inst.log()}`);
    }
    const inst = a!;
    const tokenFile = join(inst.dataDir, 'admin-token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(token).toMatch(/^syu_/);
    const call = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${inst.port}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });

    // The dashboard is served at / from the first start: the built app, not the page saying it
    // is not built; a deep link such as /tasks answers the same app, which routes in the browser.
    const { html } = await expectBuiltDashboard(`http://127.0.0.1:${inst.port}`);
    const deep = await fetch(`http://127.0.0.1:${inst.port}/tasks`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);

    // No claude here: the local agent falls back to claude-sim and says so.
    const ws = await waitFor(async () => {
      const w = (await (await call('/v1/workspaces/local')).json()) as { ready: boolean; agent: { simulated: boolean } | null };
      return w.ready ? w : null;
    }, 60_000, 'local workspace ready');
    expect(ws.agent?.simulated).toBe(true);
    await waitFor(() => inst.log().includes('Ctrl-C to stop'), 30_000, `the banner; log:\n${inst.log()}`);
    expect(inst.log()).toMatch(/!!! The local agent runs claude-sim/);
    // Each part's own log reaches the console, labelled.
    expect(inst.log()).toMatch(/^api +\| .*switchyard api listening/m);
    // The agent logs through its own asynchronous stream: its line may trail the API's.
    await waitFor(() => /^agent +\| .*registered/m.test(inst.log()), 30_000, `the agent's own log line; log:\n${inst.log()}`);

    const res = await call('/v1/tasks', { method: 'POST', body: JSON.stringify({ workspace: 'local', prompt: '@sim sleep 3\n@sim say started by npm start', workdir: '/tmp' }) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as TaskView;
    // While the turn runs, every process of npm start (the API, the agent, the turn's runner and
    // claude-sim included) is plain node on built JavaScript: no TypeScript loader, which costs
    // each start 0.2-0.4 s of CPU (and tsx's esbuild service would show as a child process).
    const tree = await waitFor(() => {
      const t = processTreeOf(inst.dataDir);
      return t.some((p) => p.args.includes('switchyard-runner.js')) && t.some((p) => p.args.includes('claude-sim')) ? t : null;
    }, 30_000, `the turn's runner and claude-sim; processes:\n${using(inst.dataDir).join('\n')}`);
    expect(tree.map((p) => p.args)).toEqual(expect.arrayContaining([expect.stringContaining('apps/api/dist/main.js'), expect.stringContaining('apps/agent/dist/main.js')]));
    for (const p of tree) expect(`${p.args} NODE_OPTIONS=${p.nodeOptions}`).not.toMatch(/\btsx\b|esbuild|--(import|loader|require)\b|\.ts\b/);
    const done = await waitFor(async () => {
      const t = (await (await call(`/v1/tasks/${id}`)).json()) as TaskView;
      return ['completed', 'failed'].includes(t.status) ? t : null;
    }, 60_000, 'task done');
    expect(done.status).toBe('completed');
    expect(await (await call(`/v1/tasks/${id}/output`)).text()).toContain('started by npm start');

    // The second instance runs beside the first on its own Redis and data.
    const tokenB = readFileSync(join(b!.dataDir, 'admin-token'), 'utf8').trim();
    expect(tokenB).not.toBe(token);
    const list = await fetch(`http://127.0.0.1:${b!.port}/v1/tasks`, { headers: { authorization: `Bearer ${tokenB}` } });
    expect(((await list.json()) as { tasks: unknown[] }).tasks).toHaveLength(0);

    // The console says where the token is and never prints it.
    expect(inst.log()).toContain(tokenFile);
    expect(inst.log()).not.toContain(token);

    // npm re-raises the Ctrl-C it got once its script is done; the script itself stops cleanly.
    const how = await stop(a!);
    expect(how.code === 0 || how.signal === 'SIGINT', JSON.stringify(how)).toBe(true);
    expect(a!.log()).toContain('stopping: agent, API, Redis');
    expect(a!.log()).toContain('agent stopped');
    expect(a!.log()).not.toContain('stopped unexpectedly');
    await waitFor(() => using(a!.dataDir).length === 0, 20_000, `no process left using ${a!.dataDir}: ${using(a!.dataDir).join('\n')}`);

    // Killed outright, npm start cannot stop its children itself: their watchdogs do.
    expect(using(b!.dataDir).length).toBeGreaterThanOrEqual(4);
    process.kill(startScriptPid(b!), 'SIGKILL');
    await waitFor(() => using(b!.dataDir).length === 0, 45_000, `no process left using ${b!.dataDir}: ${using(b!.dataDir).join('\n')}`);
  }, 240_000);
});
