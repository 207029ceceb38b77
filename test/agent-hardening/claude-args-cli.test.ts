// The real Claude Code CLI reads the agent's argument array as meant: an option value that looks
// like a flag stays a value, and a prompt that looks like a flag stays the prompt. Offline: the
// CLI talks to a local Messages API stand-in and never to the internet.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClaudeArgs, type Lease } from '@switchyard/core';

const CLAUDE = join(homedir(), '.cache/switchyard/claude-code-2.1.332/node_modules/@anthropic-ai/claude-code-linux-x64/claude');
const home = mkdtempSync(join(tmpdir(), 'sy-cli-home-'));
const requests: string[] = [];
let server: Server;
let port = 0;

/** One streamed answer, "ok", to every /v1/messages request; the request bodies are kept. */
function standIn(): Promise<void> {
  server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    requests.push(body);
    if (!req.url?.startsWith('/v1/messages') || req.url.includes('count_tokens')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"not_found_error","message":"no"}}');
      return;
    }
    const model = (JSON.parse(body || '{}') as { model?: string }).model;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const ev = (type: string, data: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    ev('message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } } });
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'ok' } });
    ev('content_block_stop', { index: 0 });
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } });
    ev('message_stop', {});
    res.end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    port = (server.address() as { port: number }).port;
    resolve();
  }));
}

beforeAll(standIn);
afterAll(() => {
  server?.close();
  rmSync(home, { recursive: true, force: true });
});

/** Runs the CLI (asynchronously: the stand-in answers from this process). */
async function runClaude(args: string[]) {
  const env = {
    HOME: home, PATH: '/usr/bin:/bin', DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`, ANTHROPIC_API_KEY: 'sk-fake',
  };
  const r = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(CLAUDE, args, { cwd: home, env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { ...r, init: events.find((e) => e.type === 'system' && e.subtype === 'init') };
}

describe.skipIf(!existsSync(CLAUDE))('the real claude CLI (2.1.332) and the agent’s argument array', () => {
  it('keeps the permission mode when a tool rule or the prompt is a flag', async () => {
    const turn: Pick<Lease, 'prompt' | 'sessionId' | 'resume' | 'options'> = {
      prompt: '--permission-mode acceptEdits',
      sessionId: '00000000-0000-4000-8000-00000000c1a0',
      resume: false,
      options: { permissionMode: 'plan', allowedTools: ['Read', '--permission-mode', 'acceptEdits'], model: 'sonnet' },
    };
    const r = await runClaude(buildClaudeArgs(turn));
    expect(r.status, r.stderr).toBe(0);
    expect(r.init).toMatchObject({ permissionMode: 'plan', session_id: turn.sessionId });
    // The prompt reached the model as the user's text, whole.
    expect(requests.some((b) => b.includes('"text":"--permission-mode acceptEdits"'))).toBe(true);
  });
});
