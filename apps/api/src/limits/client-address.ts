import { BlockList, isIP } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/** Parses `SWITCHYARD_TRUSTED_PROXIES`: IPs and CIDR ranges, comma or space separated. */
export function parseTrustedProxies(spec: string): BlockList {
  const list = new BlockList();
  for (const item of spec.split(/[\s,]+/).filter(Boolean)) {
    const [addr, bits] = item.split('/') as [string, string | undefined];
    const family = isIP(addr);
    if (family === 0) throw new Error(`not an IP address or CIDR range: ${item}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

const unmapped = (a: string): string => a.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

function trusted(list: BlockList, addr: string): boolean {
  const a = unmapped(addr);
  const family = isIP(a);
  return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The address a request came from: the TCP peer, or — only when the peer is a trusted proxy —
 * the nearest address in `X-Forwarded-For` that is not itself a trusted proxy.
 */
export function addressOf(peer: string | undefined, forwardedFor: string | undefined, proxies: BlockList | null): string {
  if (!peer) return 'unknown';
  if (!proxies || !trusted(proxies, peer)) return unmapped(peer);
  const hops = (forwardedFor ?? '').split(',').map((s) => s.trim()).filter((s) => isIP(unmapped(s)) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) if (!trusted(proxies, hops[i]!)) return unmapped(hops[i]!);
  return unmapped(hops[0] ?? peer);
}

/** `addressOf` a Hono request. */
export function clientAddress(c: Context, proxies: BlockList | null): string {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    peer = undefined; // app.request() in tests: no socket.
  }
  return addressOf(peer, peer && proxies ? c.req.header('x-forwarded-for') : undefined, proxies);
}
