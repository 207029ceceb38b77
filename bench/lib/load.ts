/**
 * A closed-loop HTTP load generator: `clients` keep-alive connections, each sending its next
 * request as soon as the last one answered, for `seconds`. Latencies are kept per request, so
 * percentiles are exact rather than bucketed.
 */
import { Agent, request } from 'node:http';

export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** The body of request `i` (a fresh one each time, e.g. with a unique idempotency key). */
  body?: (i: number) => string;
  clients: number;
  seconds: number;
}

export interface LoadResult {
  requests: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers by status code; a refused or reset connection counts under `error`. */
  statuses: Record<string, number>;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** The middle value, or the mean of the two middle ones. */
export function median(values: number[]): number {
  const s = Float64Array.from(values).sort();
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

function once(agent: Agent, spec: LoadSpec, i: number): Promise<string> {
  const body = spec.body?.(i);
  return new Promise((resolve) => {
    const u = new URL(spec.url);
    const req = request(
      { agent, host: u.hostname, port: u.port, path: u.pathname + u.search, method: spec.method ?? 'GET', headers: { ...spec.headers, ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
        res.on('error', () => resolve('error'));
      },
    );
    req.on('error', () => resolve('error'));
    req.end(body);
  });
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.clients });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const t0 = performance.now();
  const end = t0 + spec.seconds * 1000;
  const client = async () => {
    while (performance.now() < end) {
      const at = performance.now();
      const status = await once(agent, spec, next++);
      latencies.push(performance.now() - at);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: spec.clients }, client));
  const wall = (performance.now() - t0) / 1000;
  agent.destroy();
  return {
    requests: latencies.length,
    perSec: round(latencies.length / wall, 0),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    statuses,
  };
}
