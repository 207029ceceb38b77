import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAUDE_SIM } from '../support/agent.ts';
import { readTranscript } from './support/cli.ts';
import { scenarioDir, STREAM_ARGS } from './support/play.ts';
import { SCENARIOS } from './support/scenarios.ts';
import { messageIdsShared, signature } from './support/signature.ts';

// claude-sim stands in for claude in fast tests and in `npm start` without a login. It is held
// here to the transcripts recorded from the real CLI (test/claude-contract/transcripts, written
// by `npm run contract -- --record`): for each scenario it must emit the same event kinds with
// the fields Switchyard reads.

const stateDir = mkdtempSync(join(tmpdir(), 'sy-sim-contract-'));

function runSim(args: string[], cwd: string): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLAUDE_SIM, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: stateDir, CLAUDE_SIM_STATE_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.once('error', reject);
    child.once('close', () => resolve(out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)));
  });
}

describe('claude-sim against the real CLI transcripts', () => {
  for (const s of SCENARIOS) {
    it(`plays ${s.name} as the real CLI does`, async () => {
      const real = readTranscript(join(import.meta.dirname, 'transcripts', `${s.name}.jsonl`));
      const cwd = scenarioDir();
      const sim = await runSim([...STREAM_ARGS, ...(s.sim.args ?? []), '-p', '--', s.sim.prompt], cwd);
      expect(signature(sim)).toEqual(signature(real));
      expect(messageIdsShared(sim)).toBe(true);
    });
  }
});
