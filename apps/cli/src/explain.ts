import { ApiError, ConnectionError } from '@switchyard/client';
import { CliError, EXIT } from './errors.ts';
import type { Target } from './config.ts';
import { ago } from './format/time.ts';

export interface Explained {
  message: string;
  hint: string | null;
  exitCode: number;
}

const LOGIN = 'switchyard login --url URL --token-file FILE';

/** Where to look for an object the API did not find, by the path that was asked. */
function listHint(path: string): string | null {
  if (path.startsWith('/v1/tasks')) return "List tasks with 'switchyard task list'.";
  if (path.startsWith('/v1/workspaces')) return "List workspaces with 'switchyard workspace list'.";
  if (path.startsWith('/v1/teams')) return "List teams with 'switchyard team list'.";
  if (path.startsWith('/v1/tokens')) return "List tokens with 'switchyard token list'.";
  return null;
}

/**
 * Turns any error into what the user reads: what went wrong, what to do next, and the exit
 * code (2 for a wrong command line or request, 3 for server, auth and connection trouble).
 */
export function explain(err: unknown, target: Pick<Target, 'url' | 'urlFrom' | 'tokenFrom' | 'configPath'> | null, command: string): Explained {
  if (err instanceof CliError) {
    const hint = err.hint ?? (err.exitCode === EXIT.usage ? `Run 'switchyard ${command} --help' for usage and examples.` : null);
    return { message: err.message, hint, exitCode: err.exitCode };
  }
  const url = target?.url ?? 'the API';
  if (err instanceof ConnectionError) {
    const where = target?.urlFrom === 'SWITCHYARD_URL' ? 'SWITCHYARD_URL' : target?.urlFrom === 'config' ? `the URL saved in ${target.configPath}` : 'the default URL';
    return {
      message: `cannot reach the Switchyard API at ${url} (${err.errno ?? err.message})`,
      hint: `Is the API running at ${url}? Start it with 'npm start' in the Switchyard checkout, or point the CLI at the right one (${where} is used now): ${LOGIN}, or SWITCHYARD_URL.`,
      exitCode: EXIT.server,
    };
  }
  if (!(err instanceof ApiError)) {
    const e = err instanceof Error ? err : new Error(String(err));
    return { message: `unexpected error: ${e.message}`, hint: 'Set SWITCHYARD_DEBUG=1 to see where it happened, and report it.', exitCode: EXIT.server };
  }
  const rid = err.requestId ? ` (request id ${err.requestId})` : '';
  const details = err.details ?? {};
  switch (true) {
    case err.code === 'bad_response':
      return { message: `unexpected answer from ${url}: ${err.message}`, hint: `Is ${url} a Switchyard API of the same version as this CLI?`, exitCode: EXIT.server };
    case err.status === 401: {
      const from = target?.tokenFrom === 'config' ? `the token saved in ${target.configPath}` : target?.tokenFrom ?? 'the token';
      const hint = target?.tokenFrom === 'SWITCHYARD_TOKEN' || target?.tokenFrom === 'SWITCHYARD_TOKEN_FILE'
        ? `Set ${target.tokenFrom} to a valid user token (syu_…), or unset it and run '${LOGIN}'.`
        : `Run '${LOGIN}' with a valid user token (syu_…); an admin can make one with 'switchyard token create'.`;
      return { message: `${url} refused ${from}: ${err.message}`, hint, exitCode: EXIT.server };
    }
    case err.status === 403:
      return { message: `forbidden: ${err.message}`, hint: "Your token's role may not do this. Check it with 'switchyard whoami'; fleet changes need an admin token.", exitCode: EXIT.server };
    case err.isMissingRoute:
      return { message: `the API at ${url} has no ${err.method} ${err.path}: it is older than this CLI`, hint: 'Upgrade the API, or use the CLI that came with it.', exitCode: EXIT.server };
    case err.status === 404:
      return { message: err.message, hint: listHint(err.path), exitCode: EXIT.server };
    case err.status === 400 || err.status === 413 || err.status === 422: {
      const issues = Array.isArray(details.issues) ? (details.issues as Array<{ path?: string; message?: string }>) : [];
      const more = issues.slice(1).map((i) => `  ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n');
      return {
        message: `the API refused the request: ${err.message}${more ? `\n${more}` : ''}`,
        hint: `Check the flags: 'switchyard ${command} --help'.`,
        exitCode: EXIT.usage,
      };
    }
    case err.status === 409: {
      const idem = /idempotency/i.test(err.message);
      const hint = idem
        ? `Use a new --idempotency-key, or the same request to get task ${String(details.taskId ?? '')} back.`
        : "The object changed under you; look at it again ('show') and retry.";
      return { message: `conflict: ${err.message}`, hint, exitCode: EXIT.server };
    }
    case err.status === 429: {
      const resets = typeof details.resetsAt === 'string' ? details.resetsAt : null;
      const limit = typeof details.limit === 'string' ? ` (${details.limit}: ${String(details.current)}/${String(details.max)})` : '';
      const when = resets ? `It frees ${ago(resets, Date.now())} (${resets}).` : err.retryAfterSec ? `Retry after ${err.retryAfterSec}s.` : 'It frees when running tasks end.';
      return { message: `over quota: ${err.message}${limit}`, hint: `${when} See 'switchyard team usage TEAM'.`, exitCode: EXIT.server };
    }
    case err.status === 503:
      return { message: `the API at ${url} is not ready: ${err.message}${rid}`, hint: `Check '${url}/readyz' and the API's logs: Redis or SQLite may be down.`, exitCode: EXIT.server };
    default:
      return {
        message: `the API failed: ${err.status} ${err.code}: ${err.message}${rid}`,
        hint: err.requestId ? `Look for request id ${err.requestId} in the API's logs.` : "Look in the API's logs.",
        exitCode: EXIT.server,
      };
  }
}
