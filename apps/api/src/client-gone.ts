import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';

/**
 * Aborted when the client goes away before its answer is written: what `c.req.raw.signal` gives,
 * without it. Under Node, reading `c.req.raw` builds a whole web Request (headers copied, the body
 * wrapped in a web stream), most of the cost of an agent's empty sync; here one listener on the
 * response does. Elsewhere (tests calling `app.request`) the request's own signal.
 */
export function clientGone(c: Context): AbortSignal {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (!outgoing) return c.req.raw.signal;
  const gone = new AbortController();
  if (outgoing.destroyed) gone.abort('Client connection prematurely closed.');
  else outgoing.once('close', () => {
    if (!outgoing.writableFinished) gone.abort('Client connection prematurely closed.');
  });
  return gone.signal;
}
