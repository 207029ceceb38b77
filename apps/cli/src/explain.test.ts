import { describe, expect, it } from 'vitest';
import { ApiError, ConnectionError } from '@switchyard/client';
import { CliError, UsageError } from './errors.ts';
import { explain } from './explain.ts';

const target = { url: 'http://api:7700', urlFrom: 'config' as const, tokenFrom: 'config' as const, configPath: '/home/u/.config/switchyard/config.json' };
const api = (status: number, code: string, message: string, extra: Partial<ConstructorParameters<typeof ApiError>[0]> = {}) =>
  new ApiError({ status, code, message, method: 'GET', path: '/v1/tasks/tsk_1', ...extra });

describe('explain', () => {
  it('sends usage errors to the help of the command, exit 2', () => {
    expect(explain(new UsageError('bad flag'), null, 'task create')).toEqual({ message: 'bad flag', hint: "Run 'switchyard task create --help' for usage and examples.", exitCode: 2 });
    expect(explain(new CliError('custom', 'do this', 3), null, 'x')).toEqual({ message: 'custom', hint: 'do this', exitCode: 3 });
  });

  it('asks whether the API is running when the connection is refused', () => {
    const e = explain(new ConnectionError('http://api:7700', Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } })), target, 'task list');
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('cannot reach the Switchyard API at http://api:7700 (ECONNREFUSED)');
    expect(e.hint).toContain("Is the API running at http://api:7700? Start it with 'npm start'");
    expect(e.hint).toContain('the URL saved in /home/u/.config/switchyard/config.json');
  });

  it('sends 401 to login, naming where the token came from', () => {
    const saved = explain(api(401, 'unauthorized', 'missing or invalid bearer token'), target, 'task list');
    expect(saved).toMatchObject({ exitCode: 3, message: 'http://api:7700 refused the token saved in /home/u/.config/switchyard/config.json: missing or invalid bearer token' });
    expect(saved.hint).toMatch(/^Run 'switchyard login --url URL --token-file FILE'/);
    const fromEnv = explain(api(401, 'unauthorized', 'nope'), { ...target, tokenFrom: 'SWITCHYARD_TOKEN' as never }, 'task list');
    expect(fromEnv.hint).toMatch(/^Set SWITCHYARD_TOKEN to a valid user token/);
  });

  it('tells a missing route (older API) from a missing object', () => {
    const route = explain(api(404, 'not_found', 'no route GET /v1/teams', { path: '/v1/teams' }), target, 'team list');
    expect(route.message).toBe('the API at http://api:7700 has no GET /v1/teams: it is older than this CLI');
    const obj = explain(api(404, 'not_found', 'task tsk_1 not found'), target, 'task show');
    expect(obj).toEqual({ message: 'task tsk_1 not found', hint: "List tasks with 'switchyard task list'.", exitCode: 3 });
  });

  it('treats a refused request body as a usage error and lists every bad field', () => {
    const e = explain(api(400, 'invalid_request', 'workdir: must be absolute', { details: { issues: [{ path: 'workdir', message: 'must be absolute' }, { path: 'priority', message: 'too big' }] } }), target, 'task create');
    expect(e).toEqual({ message: 'the API refused the request: workdir: must be absolute\n  priority: too big', hint: "Check the flags: 'switchyard task create --help'.", exitCode: 2 });
  });

  it('explains quotas, conflicts, 403, 503 and 500 with what to do next', () => {
    const quota = explain(api(429, 'quota_exceeded', 'team backend is over its daily task limit', { details: { limit: 'tasksPerDay', current: 100, max: 100, resetsAt: null }, retryAfterSec: 3600 }), target, 'task create');
    expect(quota).toMatchObject({ exitCode: 3, message: 'over quota: team backend is over its daily task limit (tasksPerDay: 100/100)' });
    expect(quota.hint).toBe("Retry after 3600s. See 'switchyard team usage TEAM'.");
    expect(explain(api(409, 'conflict', 'Idempotency-Key was already used with a different body', { details: { taskId: 'tsk_9' } }), target, 'task create').hint).toBe(
      'Use a new --idempotency-key, or the same request to get task tsk_9 back.',
    );
    expect(explain(api(403, 'forbidden', 'only admin tokens may do that'), target, 'team create').hint).toContain("'switchyard whoami'");
    expect(explain(api(503, 'unavailable', 'redis is down', { requestId: 'r-1' }), target, 'task list')).toMatchObject({
      message: 'the API at http://api:7700 is not ready: redis is down (request id r-1)',
      hint: "Check 'http://api:7700/readyz' and the API's logs: Redis or SQLite may be down.",
    });
    expect(explain(api(500, 'internal', 'boom', { requestId: 'r-2' }), target, 'task list').hint).toBe("Look for request id r-2 in the API's logs.");
  });
});
