import type { Logger } from 'pino';
import type { ApiGet, ApiPost } from '../api-client.ts';
import { describeError } from '../api-client.ts';
import type { Turn } from '../turn/index.ts';
import { ApprovalRelay, type ApprovalTurn } from './relay.ts';
import { ApprovalSocket, approvalSocketPath } from './socket.ts';

export { ApprovalSocket, approvalSocketPath } from './socket.ts';
export { AGENT_BIN, approvalMcpConfig, wireApprovals } from './mcp-config.ts';
export type { RelayAnswer, RelayAsk } from './wire.ts';

export interface ApprovalsDeps {
  dir: string;
  post: ApiPost;
  get: ApiGet;
  logger: Logger;
  /** The agent's turns, by `<taskId>/<turn>`. */
  turns: Map<string, Turn>;
}

/** The turn claude's MCP server names, when it runs here and its lease asked for approvals. */
function approvalTurn(turns: Map<string, Turn>, taskId: string, n: number): ApprovalTurn | null {
  const turn = turns.get(`${taskId}/${n}`);
  if (!turn || turn.done || !turn.state.lease.approvals) return null;
  return { leaseToken: turn.state.lease.leaseToken, live: () => !turn.done && turn.running().alive, waits: turn.waits };
}

/** The agent's approval relay, listening on its socket; `close` hangs up on every waiting call. */
export async function startApprovals(deps: ApprovalsDeps): Promise<ApprovalSocket> {
  const relay = new ApprovalRelay({ post: deps.post, get: deps.get, logger: deps.logger, turnOf: (taskId, n) => approvalTurn(deps.turns, taskId, n) });
  const onError = (what: string, err: unknown) => deps.logger.warn({ err: describeError(err) }, what);
  const socket = new ApprovalSocket({ path: approvalSocketPath(deps.dir), ask: (ask, signal) => relay.ask(ask, signal), onError });
  await socket.listen();
  return socket;
}
