import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '@switchyard/db';
import { startRetention } from './retention.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 26);

let dir: string;
let h: DbHandle;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sy-retention-api-'));
  h = createDb(join(dir, 'switchyard.db'));
  h.sqlite.exec(`
    insert into teams (id, name, created_at) values ('team_1', 'default', 0);
    insert into workspaces (id, name, team_id, workdir_roots, created_at) values ('ws_1', 'local', 'team_1', '["/tmp"]', 0);
    insert into tasks (id, team_id, workspace_id, status, prompt, workdir, options, session_id, last_seq, created_at, updated_at, queued_at, finished_at)
      values ('old', 'team_1', 'ws_1', 'completed', 'p', '/tmp', '{}', 's', 2, ${NOW - 40 * DAY}, ${NOW - 40 * DAY}, ${NOW - 40 * DAY}, ${NOW - 40 * DAY});
    insert into output_lines (task_id, seq, turn, ts, line) values ('old', 1, 1, 0, 'a'), ('old', 2, 1, 0, 'b');
  `);
});
afterEach(() => {
  h.close();
  rmSync(dir, { recursive: true, force: true });
});

const lines = () => (h.sqlite.prepare("select count(*) as n from output_lines where task_id = 'old'").get() as { n: number }).n;

describe('startRetention', () => {
  it('prunes on its interval by the clock it is given, and logs what it deleted', async () => {
    const logged: unknown[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void logged.push(JSON.parse(l)) });
    const r = startRetention(h, { retentionDays: 30, taskRetentionDays: null, retentionIntervalMs: 20 }, logger, () => NOW);
    await expect.poll(lines, { timeout: 5000 }).toBe(1);
    await r.stop();
    expect(logged).toContainEqual(expect.objectContaining({ msg: 'retention pruned expired rows', outputLines: 1, tasks: 0 }));
  });

  it('keeps everything by that clock when the task is younger than the period', async () => {
    const r = startRetention(h, { retentionDays: 60, taskRetentionDays: null, retentionIntervalMs: 60_000 }, pino({ level: 'silent' }), () => NOW);
    expect(await r.runOnce()).toMatchObject({ outputLines: 0 });
    await r.stop();
    expect(lines()).toBe(2);
  });

  it('does nothing at all when both periods are off', async () => {
    const r = startRetention(h, { retentionDays: null, taskRetentionDays: null, retentionIntervalMs: 20 }, pino({ level: 'silent' }), () => NOW + 1000 * DAY);
    expect(await r.runOnce()).toMatchObject({ outputLines: 0, taskEvents: 0, tasks: 0 });
    await r.stop();
    expect(lines()).toBe(2);
  });
});
