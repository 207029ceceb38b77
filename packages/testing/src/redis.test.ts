import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './redis.ts';

describe('freePort', () => {
  it('gives a port outside the range the kernel hands to outgoing connections, free to listen on', async () => {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) expect(port < low || port > high, `port ${port} is in ${low}-${high}`).toBe(true);
    const srv = createServer();
    await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(ports[0], '127.0.0.1', resolve));
    await new Promise((resolve) => srv.close(resolve));
  });
});
