/**
 * The agent's approval socket: a unix socket in the agent's dir (the socket 0600, its dir 0700,
 * so only the agent's user reaches it) on which claude's MCP servers ask, one connection per
 * tool call: a JSON line in, the answer line out. A connection that closes (claude cancelled the
 * call or ended) aborts its relay.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { deny, MAX_RELAY_LINE_BYTES, parseAsk, type RelayAnswer, type RelayAsk } from './wire.ts';

/** Where the agent listens for approvals, under its dir. */
export function approvalSocketPath(agentDir: string): string {
  return join(agentDir, 'approvals', 'relay.sock');
}

export interface ApprovalSocketDeps {
  path: string;
  ask: (ask: RelayAsk, signal: AbortSignal) => Promise<RelayAnswer>;
  onError?: (what: string, err: unknown) => void;
}

export class ApprovalSocket {
  private server: Server | null = null;
  private readonly conns = new Set<Socket>();

  constructor(private readonly deps: ApprovalSocketDeps) {}

  /** Listens, replacing a socket an earlier agent process left. */
  async listen(): Promise<void> {
    const dir = dirname(this.deps.path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    rmSync(this.deps.path, { force: true });
    const server = createServer((conn) => this.serve(conn));
    server.on('error', (err) => this.deps.onError?.('the approval socket failed', err));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.deps.path, () => resolve());
    });
    chmodSync(this.deps.path, 0o600);
    this.server = server;
  }

  /** Stops listening and hangs up on every waiting MCP server (each asks the next agent again). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const conn of this.conns) conn.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private serve(conn: Socket): void {
    this.conns.add(conn);
    const abort = new AbortController();
    conn.on('close', () => {
      this.conns.delete(conn);
      abort.abort();
    });
    conn.on('error', () => conn.destroy());
    let buf = '';
    const onData = (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl === -1) {
        if (buf.length > MAX_RELAY_LINE_BYTES) this.answer(conn, deny('Switchyard: this permission request is too large to relay.'));
        return;
      }
      conn.off('data', onData);
      let ask: RelayAsk | null = null;
      try {
        ask = parseAsk(JSON.parse(buf.slice(0, nl)));
      } catch {
        // not JSON: refused below
      }
      if (!ask) return this.answer(conn, deny('Switchyard could not read this permission request.'));
      this.deps.ask(ask, abort.signal).then(
        (a) => this.answer(conn, a),
        (err: unknown) => {
          if (!abort.signal.aborted) this.deps.onError?.('an approval relay failed', err);
          conn.destroy();
        },
      );
    };
    conn.setEncoding('utf8');
    conn.on('data', onData);
  }

  private answer(conn: Socket, answer: RelayAnswer): void {
    if (!conn.destroyed) conn.end(`${JSON.stringify({ answer })}\n`);
  }
}
