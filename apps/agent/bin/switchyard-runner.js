#!/usr/bin/env node
// The runner of one turn, started by the agent in tmux: `node switchyard-runner.js <spec.json> …`.
// Runs the bundle (dist/, built by `npm run build`): plain node, no TypeScript loader to start.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/runner.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(`switchyard-runner is not built (${fileURLToPath(bundle)} is missing): run \`npm run build\` in the Switchyard checkout\n`);
  process.exit(1);
}
process.setSourceMapsEnabled(true);
const { main } = await import(bundle.href);
main(...process.argv.slice(2));
