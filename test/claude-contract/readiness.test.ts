import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfig } from '../../apps/agent/src/config.ts';
import { checkReadiness } from '../../apps/agent/src/readiness.ts';
import { ensureClaudeCli } from './support/cli.ts';

// Whether the agent calls claude logged in is claude's to say: `claude auth status`, run with
// the environment claude will get. Guessing from files and variables was wrong both ways.

let bin: string;
const dir = mkdtempSync(join(tmpdir(), 'sy-contract-ready-'));

beforeAll(() => {
  bin = ensureClaudeCli().bin;
}, 300_000);

const config = (): AgentConfig => ({
  url: 'http://127.0.0.1:9', token: 'sya_contract_test_token', dir, slots: 1, workdirRoots: ['/tmp'], claudeBin: bin, simFallback: false,
  sessionRetentionSec: 1, dirRetentionSec: 1, maxOutputBytes: 1 << 20, killGraceSec: 1, logLevel: 'silent',
});

function home(): string {
  return mkdtempSync(join(dir, 'home-'));
}

const env = (vars: Record<string, string>) => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', ...vars });
const problems = async (vars: Record<string, string>) => (await checkReadiness(config(), env(vars))).report.problems.filter((p) => /claude/.test(p));

describe('readiness with the real claude', () => {
  it('calls an empty credentials file not logged in', async () => {
    const h = home();
    mkdirSync(join(h, '.claude'));
    writeFileSync(join(h, '.claude', '.credentials.json'), '');
    expect((await problems({ HOME: h })).join()).toMatch(/not logged in \(claude auth status: authMethod none/);
  });

  it('takes ANTHROPIC_AUTH_TOKEN, an OAuth token and a Bedrock login as logged in', async () => {
    expect(await problems({ HOME: home(), ANTHROPIC_AUTH_TOKEN: 'gateway-token' })).toEqual([]);
    expect(await problems({ HOME: home(), CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-test' })).toEqual([]);
    expect(await problems({ HOME: home(), CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'us-east-1' })).toEqual([]);
  });

  it('does not count a key claude never sees: only the allow-listed environment reaches it', async () => {
    expect((await problems({ HOME: home(), SWITCHYARD_ANTHROPIC_API_KEY: 'sk-x' })).join()).toMatch(/not logged in/);
    expect(await problems({ HOME: home(), ANTHROPIC_API_KEY: 'sk-x' })).toEqual([]);
  });
});
