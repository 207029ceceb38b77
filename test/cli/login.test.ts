import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api.ts';
import { freePort } from '../support/redis.ts';
import { cli, cliEnv, freshHome } from './support/cli.ts';

const ctx = useApi();

function tokenFile(home: string, token: string): string {
  const file = join(home, 'token');
  writeFileSync(file, `${token}\n`);
  return file;
}

describe('switchyard login and where the CLI finds its API and token', () => {
  it('checks the token, then saves URL and token under XDG_CONFIG_HOME with dir 0700 and file 0600', async () => {
    const home = freshHome();
    const env = cliEnv(home, { XDG_CONFIG_HOME: join(home, 'xdg') });
    const r = await cli(['login', '--url', `${ctx.api.url}/`, '--token-file', tokenFile(home, ctx.api.adminToken)], { env });
    expect(r.stderr).toContain('Saved to');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Logged in to ${ctx.api.url}`);
    expect(r.stdout).toBe(`Logged in to ${ctx.api.url} as bootstrap-admin (admin).\n`);
    expect(JSON.parse(readFileSync(join(home, 'xdg', 'switchyard', 'config.json'), 'utf8')).user).toEqual({ name: 'bootstrap-admin', role: 'admin', team: null });

    const file = join(home, 'xdg', 'switchyard', 'config.json');
    expect(statSync(join(home, 'xdg', 'switchyard')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { url: string; token: string };
    expect(saved).toMatchObject({ url: ctx.api.url, token: ctx.api.adminToken });

    // Later commands need nothing but the saved config.
    const list = await cli(['task', 'list'], { env });
    expect(list.code).toBe(0);
  });

  it('uses ~/.config without XDG_CONFIG_HOME, and reads the token from stdin with --token-file -', async () => {
    const home = freshHome();
    const env = cliEnv(home, { XDG_CONFIG_HOME: undefined });
    const r = await cli(['login', '--url', ctx.api.url, '--token-file', '-'], { env, input: `${ctx.api.adminToken}\n` });
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(home, '.config', 'switchyard', 'config.json'), 'utf8')).token).toBe(ctx.api.adminToken);
  });

  it('logs in from SWITCHYARD_URL and SWITCHYARD_TOKEN alone', async () => {
    const home = freshHome();
    const r = await cli(['login'], { env: cliEnv(home, { SWITCHYARD_URL: ctx.api.url, SWITCHYARD_TOKEN: ctx.api.adminToken }) });
    expect(r.code).toBe(0);
    expect(existsSync(join(home, '.config', 'switchyard', 'config.json'))).toBe(true);
  });

  it('refuses a bad token with exit 3 and saves nothing', async () => {
    const home = freshHome();
    const env = cliEnv(home);
    const r = await cli(['login', '--url', ctx.api.url, '--token-file', tokenFile(home, 'syu_not-a-real-token')], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`error: ${ctx.api.url} refused this token`);
    expect(r.stderr).toContain('nothing was saved');
    expect(existsSync(join(home, '.config', 'switchyard', 'config.json'))).toBe(false);
  });

  it('tells an agent token from a user token', async () => {
    const home = freshHome();
    const r = await cli(['login', '--url', ctx.api.url, '--token-file', ctx.api.agentTokenFile], { env: cliEnv(home) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('that is an agent token (sya_…); the CLI needs a user token (syu_…)');
  });

  it('says what to do when the token file is missing or not given', async () => {
    const home = freshHome();
    const missing = await cli(['login', '--url', ctx.api.url, '--token-file', join(home, 'nope')], { env: cliEnv(home) });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read the token file ${join(home, 'nope')} (--token-file): ENOENT`);
    const none = await cli(['login', '--url', ctx.api.url], { env: cliEnv(home) });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give the token with --token-file FILE');
  });

  it('lets SWITCHYARD_TOKEN and SWITCHYARD_URL win over the saved config', async () => {
    const home = freshHome();
    const env = cliEnv(home);
    expect((await cli(['login', '--url', ctx.api.url, '--token-file', tokenFile(home, ctx.api.adminToken)], { env })).code).toBe(0);

    const badToken = await cli(['task', 'list'], { env: { ...env, SWITCHYARD_TOKEN: 'syu_revoked-or-wrong' } });
    expect(badToken.code).toBe(3);
    expect(badToken.stderr).toContain(`${ctx.api.url} refused SWITCHYARD_TOKEN`);
    expect(badToken.stderr).toContain('Set SWITCHYARD_TOKEN to a valid user token');

    const port = await freePort();
    const elsewhere = await cli(['task', 'list'], { env: { ...env, SWITCHYARD_URL: `http://127.0.0.1:${port}` } });
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toContain(`error: cannot reach the Switchyard API at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(elsewhere.stderr).toContain(`Is the API running at http://127.0.0.1:${port}? Start it with 'npm start'`);
  });

  it('tells the user to log in when there is no token, or the saved one is refused', async () => {
    const home = freshHome();
    const env = cliEnv(home);
    const none = await cli(['task', 'list'], { env });
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('error: not logged in to http://127.0.0.1:7700');
    expect(none.stderr).toContain('Run switchyard login --url URL --token-file FILE');

    const cfgDir = join(home, '.config', 'switchyard');
    expect((await cli(['login', '--url', ctx.api.url, '--token-file', tokenFile(home, ctx.api.adminToken)], { env })).code).toBe(0);
    const cfg = JSON.parse(readFileSync(join(cfgDir, 'config.json'), 'utf8'));
    writeFileSync(join(cfgDir, 'config.json'), JSON.stringify({ ...cfg, token: 'syu_stale' }), { mode: 0o600 });
    const stale = await cli(['task', 'list'], { env });
    expect(stale.code).toBe(3);
    expect(stale.stderr).toContain(`refused the token saved in ${join(cfgDir, 'config.json')}`);
    expect(stale.stderr).toContain("Run 'switchyard login --url URL --token-file FILE'");
  });

  it('logout forgets the token but keeps the URL', async () => {
    const home = freshHome();
    const env = cliEnv(home);
    await cli(['login', '--url', ctx.api.url, '--token-file', tokenFile(home, ctx.api.adminToken)], { env });
    const r = await cli(['logout'], { env });
    expect(r.code).toBe(0);
    const saved = JSON.parse(readFileSync(join(home, '.config', 'switchyard', 'config.json'), 'utf8'));
    expect(saved).toEqual({ url: ctx.api.url, savedAt: expect.any(String) });
    const after = await cli(['task', 'list'], { env });
    expect(after.stderr).toContain(`not logged in to ${ctx.api.url}`);
  });

  it('whoami shows the token the CLI uses', async () => {
    const home = freshHome();
    const env = cliEnv(home, { SWITCHYARD_URL: ctx.api.url, SWITCHYARD_TOKEN: ctx.api.adminToken });
    const r = await cli(['whoami'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Token:\s+bootstrap-admin/);
    expect(r.stdout).toMatch(/Role:\s+admin/);
    const j = await cli(['whoami', '-o', 'json'], { env });
    expect(JSON.parse(j.stdout)).toMatchObject({ url: ctx.api.url, name: 'bootstrap-admin', role: 'admin' });
  });
});

describe('the command line itself', () => {
  const env = () => cliEnv(freshHome());

  it('prints its version through the published bin, and help for the root, a group and a verb', async () => {
    const v = await cli(['--version'], { env: env(), bin: true });
    expect(v).toMatchObject({ code: 0, stdout: 'switchyard 0.1.0\n' });
    const root = await cli(['--help'], { env: env() });
    expect(root.code).toBe(0);
    for (const verb of ['task create', 'task logs', 'task attach', 'workspace token', 'team quota', 'token revoke', 'agent list', 'login']) {
      expect(root.stdout).toContain(verb);
    }
    const group = await cli(['task'], { env: env() });
    expect(group.stdout).toContain("Run 'switchyard task <command> --help'");
    const verb = await cli(['help', 'task', 'logs'], { env: env() });
    expect(verb.stdout).toContain('switchyard task logs ID [flags]');
    expect(verb.stdout).toContain('Examples:');
  });

  it('exits 2 with a suggestion on unknown commands, flags and missing arguments', async () => {
    const typo = await cli(['task', 'craete', 'x'], { env: env() });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown command 'task craete'; did you mean 'create'?");
    const flag = await cli(['task', 'list', '--colour'], { env: env() });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("error: unknown option '--colour' for 'task list'");
    expect(flag.stderr).toContain("Run 'switchyard task list --help'");
    const missing = await cli(['task', 'show'], { env: env() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("'task show' needs ID");
    const value = await cli(['task', 'list', '--limit'], { env: env() });
    expect(value.stderr).toContain('option --limit needs a value');
    const bad = await cli(['task', 'list', '--limit', 'ten'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--limit takes a whole number, not "ten"');
  });
});
