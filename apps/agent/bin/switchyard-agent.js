#!/usr/bin/env node
// Runs the agent's bundle (dist/, built from src/ by `npm run build`; `npm start` builds it when
// needed): plain node, no TypeScript loader to start.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/main.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(`switchyard-agent is not built (${fileURLToPath(bundle)} is missing): run \`npm run build\` in the Switchyard checkout\n`);
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(bundle.href);
