#!/usr/bin/env node
// Runs the sim's bundle (dist/, built from src/ by `npm run build`) in this very process, so the
// sim stays one process that signals reach directly, and starts as fast as plain node.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/main.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(`claude-sim is not built (${fileURLToPath(bundle)} is missing): run \`npm run build\` in the Switchyard checkout\n`);
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(bundle.href);
