/**
 * The MCP server's side of the relay: hands one tool call to the agent over its unix socket and
 * waits for the answer, however long a person takes. When the agent goes away meanwhile (it
 * restarts), it connects again with backoff and asks again with the same tool_use_id: the agent
 * asks the API again, which gives back the same approval. It ends only with an answer or when
 * `signal` aborts (claude cancelled the call or ended).
 */
import { connect } from 'node:net';
import { MAX_RELAY_LINE_BYTES, parseAnswer, type RelayAnswer, type RelayAsk } from './wire.ts';

export interface AskOptions {
  /** Waits between connection attempts, the last one repeated (ms). */
  delays?: number[];
  /** Told each time the agent could not be reached or hung up before answering. */
  onRetry?: (err: Error) => void;
}

const DELAYS = [100, 250, 500, 1_000, 2_000, 5_000];

/** The agent's answer to `ask`; retries until it comes or `signal` aborts (then rejects). */
export async function askAgent(socket: string, ask: RelayAsk, signal: AbortSignal, opts: AskOptions = {}): Promise<RelayAnswer> {
  const delays = opts.delays ?? DELAYS;
  for (let attempt = 0; ; attempt++) {
    signal.throwIfAborted();
    try {
      return await askOnce(socket, ask, signal);
    } catch (err) {
      signal.throwIfAborted();
      opts.onRetry?.(err as Error);
    }
    await pause(delays[Math.min(attempt, delays.length - 1)]!, signal);
  }
}

/** One connection: the request, then the one answer line. Rejects when it closes before that. */
function askOnce(socket: string, ask: RelayAsk, signal: AbortSignal): Promise<RelayAnswer> {
  return new Promise((resolve, reject) => {
    const conn = connect(socket);
    let buf = '';
    const stop = () => conn.destroy();
    signal.addEventListener('abort', stop, { once: true });
    const done = (fn: () => void) => {
      signal.removeEventListener('abort', stop);
      conn.destroy();
      fn();
    };
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(`${JSON.stringify(ask)}\n`));
    conn.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl === -1) {
        if (buf.length > MAX_RELAY_LINE_BYTES) done(() => reject(new Error('the agent sent an answer too long to be one')));
        return;
      }
      let answer: RelayAnswer | null = null;
      try {
        answer = parseAnswer(JSON.parse(buf.slice(0, nl)));
      } catch {
        // not JSON: below
      }
      done(() => (answer ? resolve(answer) : reject(new Error('the agent sent something that is not an answer'))));
    });
    conn.on('error', (err) => done(() => reject(err)));
    conn.on('close', () => done(() => reject(new Error('the agent closed the connection before answering'))));
  });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(finish, ms);
    function finish(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}
