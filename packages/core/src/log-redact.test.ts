import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './log-redact.ts';

/** The lines a pino logger with the services' formatter writes. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ formatters: { log: redactSecrets } }, stream), lines };
}

describe('log redaction', () => {
  it('replaces tokens, secrets, API keys and authorization headers up to three levels down', async () => {
    const { logger, lines } = capture();
    const secret = 'sya_' + 'x'.repeat(12);
    logger.info({
      token: secret,
      config: { token: secret, url: 'http://api' },
      req: { headers: { authorization: `Bearer ${secret}`, host: 'api' } },
      env: { ANTHROPIC_API_KEY: secret, HOME: '/home/a' },
      team: { apiKey: secret, secret },
    }, 'with secrets');
    await new Promise((r) => setImmediate(r));
    const line = lines[0]!;
    expect(JSON.stringify(line)).not.toContain(secret);
    expect(line).toMatchObject({
      token: REDACTED,
      config: { token: REDACTED, url: 'http://api' },
      req: { headers: { authorization: REDACTED, host: 'api' } },
      env: { ANTHROPIC_API_KEY: REDACTED, HOME: '/home/a' },
      team: { apiKey: REDACTED, secret: REDACTED },
      msg: 'with secrets',
    });
  });

  it('never changes the logged object, and hands back one with no secret as it is', () => {
    const clean = { taskId: 'tsk_1', actor: 'ci', nested: { status: 'queued' } };
    expect(redactSecrets(clean)).toBe(clean);
    const frozen = Object.freeze({ config: Object.freeze({ token: 'abc', url: 'u' }) });
    const out = redactSecrets(frozen) as { config: { token: string; url: string } };
    expect(out.config).toEqual({ token: REDACTED, url: 'u' });
    expect(frozen.config.token).toBe('abc');
  });

  it("keeps an error's message and stack when it redacts a secret the error carries", async () => {
    const { logger, lines } = capture();
    const err = Object.assign(new Error('refused'), { token: 'abc' });
    logger.warn({ err }, 'call failed');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]!.err).toMatchObject({ type: 'Error', message: 'refused', token: REDACTED });
    expect(String((lines[0]!.err as { stack: string }).stack)).toContain('refused');
    expect(err.token).toBe('abc');
  });

  it('leaves a null or absent secret as it was', () => {
    expect(redactSecrets({ token: null, authorization: undefined })).toEqual({ token: null, authorization: undefined });
  });
});
