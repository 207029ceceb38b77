// `npm run contract [-- --cli VERSION|latest] [--record]`: plays every contract scenario through
// the real Claude Code CLI (offline, against the local Messages API stand-in) and prints, per
// scenario, how its signature differs from the transcript recorded from the pinned CLI. With
// --record it writes the transcripts anew (do that when the pinned version changes).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureClaudeCli, readTranscript } from './support/cli.ts';
import { startMessagesApi } from './support/messages-api.ts';
import { normalize, playReal } from './support/play.ts';
import { SCENARIOS } from './support/scenarios.ts';
import { signature } from './support/signature.ts';

const DIR = join(import.meta.dirname, 'transcripts');
const argv = process.argv.slice(2);
const cliArg = argv.includes('--cli') ? argv[argv.indexOf('--cli') + 1] : undefined;
const record = argv.includes('--record');

const cli = ensureClaudeCli(cliArg);
process.stdout.write(`contract: Claude Code ${cli.version} (${cli.bin})\n`);
const api = await startMessagesApi();
let changed = 0;
mkdirSync(DIR, { recursive: true });
for (const s of SCENARIOS) {
  const run = await playReal(cli.bin, api, s);
  const file = join(DIR, `${s.name}.jsonl`);
  const now = signature(run.events);
  const before = existsSync(file) ? signature(readTranscript(file)) : [];
  const same = JSON.stringify(now) === JSON.stringify(before);
  if (!same) changed++;
  process.stdout.write(`\n${same ? 'same   ' : 'CHANGED'} ${s.name} (exit ${run.code})\n`);
  if (!same) {
    for (const l of before.filter((x) => !now.includes(x))) process.stdout.write(`  - ${l}\n`);
    for (const l of now.filter((x) => !before.includes(x))) process.stdout.write(`  + ${l}\n`);
  }
  if (record) writeFileSync(file, normalize(run.stdout, run.cwd));
}
await api.close();
process.stdout.write(`\n${changed} of ${SCENARIOS.length} scenarios differ from the recorded transcripts${record ? ' (recorded anew)' : ''}.\n`);
process.exitCode = changed > 0 && !record ? 1 : 0;
