import { describe, expect, it } from 'vitest';
import { freePort } from '@switchyard/testing';
import { createClient } from './client.ts';
import { ConnectionError } from './errors.ts';

// The client against the real API lives in test/client/client.test.ts: a package never
// depends on an app.
describe('client without a server', () => {
  it('throws ConnectionError when nothing listens', async () => {
    const port = await freePort();
    const dead = createClient({ url: `http://127.0.0.1:${port}`, token: 't' });
    const err = (await dead.tasks.list().catch((e: unknown) => e)) as ConnectionError;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.errno).toBe('ECONNREFUSED');
    expect(err.message).toBe(`cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
  });
});
