import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskView } from '@switchyard/core';

type Call = (path: string, init?: RequestInit & { token?: string; json?: unknown }) => Promise<Response>;

/** Where each fault scenario writes its figures, for the README's reliability section. */
export const FAULTS_DIR = join(tmpdir(), 'switchyard-faults');

export interface ScenarioFigures {
  scenario: string;
  faults: string[];
  tasks: number;
  lines: number;
  lost: number;
  doubled: number;
  seconds: number;
  [extra: string]: unknown;
}

/** Prints one scenario's figures and writes them to FAULTS_DIR/<scenario>.json. */
export function recordScenario(figures: ScenarioFigures): void {
  mkdirSync(FAULTS_DIR, { recursive: true });
  writeFileSync(join(FAULTS_DIR, `${figures.scenario}.json`), `${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(`fault scenario ${JSON.stringify(figures)}\n`);
}

export async function getTask(call: Call, id: string): Promise<TaskView> {
  return (await (await call(`/v1/tasks/${id}`)).json()) as TaskView;
}

/** Every stored seq of a task, in the order the API pages them. */
export async function storedSeqs(call: Call, id: string): Promise<number[]> {
  const seqs: number[] = [];
  for (let after = 0; ; ) {
    const res = await call(`/v1/tasks/${id}/events?after=${after}&limit=5000`);
    const page = (await res.json()) as { events: { seq: number }[]; nextAfter: number };
    if (page.events.length === 0) break;
    seqs.push(...page.events.map((e) => e.seq));
    after = page.nextAfter;
  }
  return seqs;
}

/** The invariant on output: seqs 1..n, each once, in order. Returns n, or throws saying what broke. */
export async function outputOnceInOrder(call: Call, id: string): Promise<number> {
  const seqs = await storedSeqs(call, id);
  const bad = seqs.findIndex((s, i) => s !== i + 1);
  if (bad >= 0) throw new Error(`task ${id}: seq ${seqs[bad]} at position ${bad + 1} (stored ${seqs.length})`);
  return seqs.length;
}

/** Numbered lines claude-sim printed (`line N of M`), in stored order: a doubled run shows here. */
export async function simLineNumbers(call: Call, id: string): Promise<number[]> {
  const text = await (await call(`/v1/tasks/${id}/output`)).text();
  return text
    .split('\n')
    .filter((l) => l.includes('"line '))
    .map((l) => Number(/line (\d+) of/.exec(l)?.[1] ?? NaN));
}

/** How many times a task's turns went to `running`: more than its turns means it ran twice. */
export function runsIn(events: { toStatus: string }[]): number {
  return events.filter((e) => e.toStatus === 'running').length;
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 200 ms for up to `ms`; throws naming `what` on timeout. */
export async function until(check: () => Promise<boolean>, what: string | (() => string), ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(200);
  }
}

/** Waits until the task reaches one of `statuses`; returns its view. */
export async function settled(call: Call, id: string, statuses: string[], ms = 60_000): Promise<TaskView> {
  let last: TaskView | undefined;
  await until(async () => {
    last = await getTask(call, id);
    return statuses.includes(last.status);
  }, () => `task ${id} to be ${statuses.join(' or ')} (last: ${last?.status})`, ms);
  return last!;
}

/** Creates a task in workspace `local`; returns its id. */
export async function createTask(call: Call, prompt: string): Promise<string> {
  const res = await call('/v1/tasks', { method: 'POST', json: { workspace: 'local', workdir: '/tmp', prompt } });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
  return ((await res.json()) as TaskView).id;
}

/** 1..n */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
