// The agent's approval socket: who may reach it, and what it does with what arrives.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApprovalSocket, approvalSocketPath } from './socket.ts';

const dir = mkdtempSync(join(tmpdir(), 'sy-apsock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sends `text` and reads everything the agent says back. */
function exchange(path: string, text: string, opts: { hangUpAfterSend?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(path, () => {
      c.write(text);
      if (opts.hangUpAfterSend) setImmediate(() => c.destroy());
    });
    let got = '';
    c.setEncoding('utf8').on('data', (d: string) => (got += d));
    c.on('close', () => resolve(got));
    c.on('error', reject);
  });
}

describe('approval socket', () => {
  it('is reachable by the agent’s user only: the socket 0600 in a 0700 dir', async () => {
    const path = approvalSocketPath(join(dir, 'agent-a'));
    const s = new ApprovalSocket({ path, ask: async () => ({ behavior: 'allow', updatedInput: {} }) });
    await s.listen();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    await s.close();
  });

  it('relays one line and answers with one line; refuses what is not a request', async () => {
    const path = approvalSocketPath(join(dir, 'agent-b'));
    const s = new ApprovalSocket({ path, ask: async (a) => ({ behavior: 'deny', message: `no ${a.toolName} for ${a.taskId}/${a.turn}` }) });
    await s.listen();
    const ask = { taskId: 'tsk_0000sock0001', turn: 3, toolName: 'Write', toolUseId: 'toolu_9', input: { file_path: '/x' } };
    expect(JSON.parse(await exchange(path, `${JSON.stringify(ask)}\n`))).toEqual({ answer: { behavior: 'deny', message: 'no Write for tsk_0000sock0001/3' } });
    for (const bad of ['not json\n', '{"taskId":"t","turn":0,"toolName":"Bash","toolUseId":"u","input":{}}\n', '{"taskId":"t","turn":1,"toolName":"Bash","toolUseId":"u","input":"rm"}\n']) {
      expect(JSON.parse(await exchange(path, bad))).toEqual({ answer: { behavior: 'deny', message: 'Switchyard could not read this permission request.' } });
    }
    await s.close();
  });

  it('aborts the relay when the MCP server hangs up', async () => {
    const path = approvalSocketPath(join(dir, 'agent-c'));
    let aborted!: () => void;
    const gone = new Promise<void>((r) => (aborted = r));
    const s = new ApprovalSocket({
      path,
      ask: (_a, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => (aborted(), reject(new Error('aborted'))))),
    });
    await s.listen();
    const ask = { taskId: 'tsk_0000sock0002', turn: 1, toolName: 'Bash', toolUseId: 'toolu_1', input: {} };
    await exchange(path, `${JSON.stringify(ask)}\n`, { hangUpAfterSend: true });
    await gone;
    await s.close();
  });
});
