import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { AGENT_PROTOCOL_VERSION, parseErrorEnvelope, type AgentRegister } from '@switchyard/core';
import { createAgent } from './agent.ts';
import { ApiError, type ApiPost } from './api-client.ts';
import type { AgentConfig } from './config.ts';
import { tempDir } from './turn/test-support.ts';

const tmp = tempDir();
afterAll(tmp.remove);

const config: AgentConfig = {
  url: 'http://api', token: 'sya_x', dir: tmp.dir, slots: 1, workdirRoots: ['/tmp'], claudeBin: null, simFallback: false,
  sessionRetentionSec: 1, dirRetentionSec: 1, maxOutputBytes: 1 << 20, killGraceSec: 1, logLevel: 'info',
};

describe('agent registration', () => {
  it('says its protocol version; refused as too old, it logs what to upgrade and waits long before asking again', async () => {
    const tooOld = 'agent protocol 1.1 is too old for this API, which serves 1.3 and 1.2: upgrade the agent to the API’s release';
    const registers: AgentRegister[] = [];
    const post = (async (path: string, body: unknown) => {
      if (path !== '/register') throw new Error(`unexpected ${path}`);
      registers.push(body as AgentRegister);
      const envelope = { error: { code: 'agent_too_old', message: tooOld, details: { protocolVersion: '1.1', supported: ['1.3', '1.2'] } } };
      throw new ApiError(426, parseErrorEnvelope(426, JSON.stringify(envelope)));
    }) as ApiPost;
    const logs: { level: number; msg: string; retryInMs?: number }[] = [];
    let refused!: () => void;
    const refusedOnce = new Promise<void>((r) => (refused = r));
    const logger = pino({ level: 'info' }, {
      write(line: string) {
        const entry = JSON.parse(line) as (typeof logs)[number];
        logs.push(entry);
        if (entry.msg.includes(tooOld)) refused();
      },
    });
    const agent = createAgent({ config, logger, post });
    const started = agent.start();
    await refusedOnce;
    await agent.stop();
    await started;
    expect(registers).toHaveLength(1);
    expect(registers[0]!.protocolVersion).toBe(AGENT_PROTOCOL_VERSION);
    const line = logs.find((l) => l.msg.includes(tooOld))!;
    expect(line.level).toBe(50); // error: a person has to act
    // Long, and jittered so a fleet refused at once does not ask again at once.
    expect(line.retryInMs).toBeGreaterThanOrEqual(15_000);
    expect(line.retryInMs).toBeLessThanOrEqual(30_000);
  });
});
