import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offlineEnv, runCli, type CliRun } from './cli.ts';
import type { MessagesApi } from './messages-api.ts';
import type { Scenario } from './scenarios.ts';

export const STREAM_ARGS = ['--output-format', 'stream-json', '--verbose'];

/** A fresh workdir with the file the scenarios read. */
export function scenarioDir(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'sy-contract-wd-'));
  writeFileSync(join(cwd, 'notes.txt'), 'line one\nline two\n');
  return cwd;
}

/** Plays one scenario through the real CLI against the stand-in. */
export async function playReal(bin: string, api: MessagesApi, s: Scenario): Promise<CliRun & { cwd: string }> {
  const cwd = scenarioDir();
  api.script(s.script(cwd));
  const run = await runCli(bin, [...STREAM_ARGS, ...s.args(cwd), '-p', '--', s.prompt], { cwd, env: offlineEnv(api.url, s.env), timeoutMs: 120_000 });
  return { ...run, cwd };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** A transcript with what changes from run to run (ids, times, paths, ports) made constant. */
export function normalize(stdout: string, cwd?: string): string {
  let text = stdout.replace(UUID, '00000000-0000-0000-0000-000000000000');
  if (cwd) text = text.split(cwd).join('/WORKDIR');
  return text
    .replace(/"timestamp":"[^"]+"/g, '"timestamp":"2026-01-01T00:00:00.000Z"')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
    .replace(/"(duration_ms|duration_api_ms|ttft_ms|ttft_stream_ms|time_to_request_ms|first_content_frame_ms|retry_delay_ms)":\d+/g, '"$1":0')
    .replace(/"(resetsAt|reset)":\d+/g, '"$1":1800000000')
    .replace(/resets \d{1,2}(:\d\d)?(am|pm) \(UTC\)/g, 'resets 9am (UTC)');
}
