import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface PartitionProxy {
  url: string;
  /** From now on traffic is dropped both ways, silently: no reset, no close, as a partition does. */
  partition(): void;
  /**
   * Traffic flows again. The connections caught in the partition are reset (as a stateful
   * firewall that forgot them would): their requests fail and are retried on new connections.
   */
  heal(): void;
  /** Bytes dropped while partitioned. */
  dropped(): number;
  close(): Promise<void>;
}

/** A loopback TCP proxy in front of `upstreamUrl` that a test can partition and heal. */
export async function startPartitionProxy(upstreamUrl: string): Promise<PartitionProxy> {
  const up = new URL(upstreamUrl);
  const pairs = new Set<{ client: Socket; upstream: Socket; caught: boolean }>();
  let cut = false;
  let dropped = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(up.port), up.hostname);
    const pair = { client, upstream, caught: cut };
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    const forward = (to: Socket) => (chunk: Buffer) => {
      if (cut || pair.caught) {
        pair.caught = true;
        dropped += chunk.length;
      } else to.write(chunk);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    partition() {
      cut = true;
      for (const p of pairs) p.caught = true;
    },
    heal() {
      cut = false;
      for (const p of pairs) {
        if (!p.caught) continue;
        p.client.resetAndDestroy();
        p.upstream.destroy();
        pairs.delete(p);
      }
    },
    dropped: () => dropped,
    async close() {
      for (const p of pairs) (p.client.destroy(), p.upstream.destroy());
      await new Promise((r) => server.close(r));
    },
  };
}
