#!/usr/bin/env node
// The published bin: runs the CLI's bundle (dist/, built from src/ by `npm run build`), plain node.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/main.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(`switchyard is not built (${fileURLToPath(bundle)} is missing): run \`npm run build\` in the Switchyard checkout\n`);
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(bundle.href);
