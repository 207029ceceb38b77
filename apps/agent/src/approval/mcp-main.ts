/**
 * `switchyard-agent approval-mcp <socket> <taskId> <turn>`: the MCP server claude starts for a
 * turn that may ask for approvals (see mcp-server.ts). Its own bundle, so that it loads nothing
 * of the agent: bin/switchyard-agent.js runs it for this subcommand.
 */
import { serveMcp } from './mcp-server.ts';
import { askAgent } from './relay-client.ts';

export async function main(argv: string[] = process.argv.slice(3)): Promise<void> {
  const [socket, taskId, turnArg] = argv;
  const turn = Number(turnArg);
  if (!socket || !taskId || !Number.isInteger(turn) || turn < 1) {
    process.stderr.write('usage: switchyard-agent approval-mcp <socket> <taskId> <turn>\n');
    process.exit(2);
  }
  const onRetry = (err: Error) => process.stderr.write(`switchyard approval-mcp: the agent is not answering (${err.message}); retrying\n`);
  await serveMcp({
    input: process.stdin,
    output: process.stdout,
    ask: (call, signal) => askAgent(socket, { taskId, turn, ...call }, signal, { onRetry }),
  });
  process.exit(0);
}
