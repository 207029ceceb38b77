#!/usr/bin/env node
// Runs the agent's bundle (dist/, built from src/ by `npm run build`; `npm start` builds it when
// needed): plain node, no TypeScript loader to start. `approval-mcp` (the MCP server claude runs
// to ask for approvals) has its own small bundle, so that claude does not wait on the agent's.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const mcp = process.argv[2] === 'approval-mcp';
const bundle = new URL(mcp ? '../dist/approval-mcp.js' : '../dist/main.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(`switchyard-agent is not built (${fileURLToPath(bundle)} is missing): run \`npm run build\` in the Switchyard checkout\n`);
  process.exit(1);
}
process.setSourceMapsEnabled(true);
const loaded = await import(bundle.href);
if (mcp) await loaded.main(process.argv.slice(3));
