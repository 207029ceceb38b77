/**
 * The fleet benchmark alone (`npm run bench:fleet`; `npm run bench` runs it too):
 * `BENCH_FLEET=500,2000` picks the sizes, `BENCH_SECONDS` the length of the load, `BENCH_WORK_MS`
 * how long each simulated turn runs. Writes bench/results-fleet.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../test/support/agent.ts';
import { RATE_PER_SEC, runFleet } from './lib/fleet.ts';

const SIZES = (process.env.BENCH_FLEET ?? '500,2000').split(',').map(Number);
const opts = { loadSeconds: Number(process.env.BENCH_SECONDS ?? 30), workMs: Number(process.env.BENCH_WORK_MS ?? 200) };

const results = [];
for (const size of SIZES) {
  console.log(`fleet of ${size}…`);
  // A size the machine cannot hold is reported as such; the sizes after it still run.
  const r = await runFleet(size, opts).catch((err: Error) => ({ agents: size, error: err.message }));
  console.log(JSON.stringify(r, null, 2));
  results.push(r);
}
const out = join(REPO, 'bench', 'results-fleet.json');
writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), ...opts, ratePerSec: RATE_PER_SEC, results }, null, 2)}\n`);
console.log(`wrote ${out}`);
