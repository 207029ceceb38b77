import { ROLES, type TokenCreate, type TokenView } from '@switchyard/core';
import type { Command, Group } from '../command.ts';
import { explain } from '../explain.ts';
import { EXIT, UsageError } from '../errors.ts';
import { parseDuration } from '../command.ts';
import { table } from '../format/table.ts';
import { ago } from '../format/time.ts';
import { printJson } from '../output.ts';
import { handOver, OUT_FILE } from './secret.ts';

function state(t: TokenView, now: number): string {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && Date.parse(t.expiresAt) <= now) return 'expired';
  return 'active';
}

function tokenTable(rows: TokenView[], now: number): string {
  return table(rows, [
    { header: 'ID', get: (t) => t.id },
    { header: 'NAME', get: (t) => t.name, max: 30 },
    { header: 'ROLE', get: (t) => t.role },
    { header: 'TEAM', get: (t) => t.team ?? (t.role === 'admin' ? '(all)' : '-') },
    { header: 'WORKSPACE', get: (t) => t.workspace ?? t.defaultWorkspace ?? '-' },
    { header: 'PREFIX', get: (t) => `${t.prefix}…` },
    { header: 'STATE', get: (t) => state(t, now) },
    { header: 'LAST USED', get: (t) => (t.lastUsedAt ? ago(t.lastUsedAt, now) : 'never') },
    { header: 'EXPIRES', get: (t) => (t.expiresAt ? ago(t.expiresAt, now) : 'never') },
    { header: 'CREATED', get: (t) => ago(t.createdAt, now) },
  ]);
}

/** `30d`, `12h` from now, or an ISO time. */
export function expiryFrom(s: string, now: number): string {
  const secs = parseDuration(s);
  if (secs !== null) return new Date(now + secs * 1000).toISOString();
  const t = Date.parse(s);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(s)) throw new UsageError(`--expires takes a duration like 30d or an ISO time, not "${s}"`);
  return new Date(t).toISOString();
}

const create: Command = {
  name: 'create',
  summary: 'Create a user token (admin; the secret is shown once)',
  args: 'NAME',
  minArgs: 1,
  maxArgs: 1,
  options: {
    role: { type: 'string', short: 'r', value: 'ROLE', help: `${ROLES.join(', ')} (required): admin runs the fleet, member its team's tasks, viewer reads` },
    team: { type: 'string', short: 't', value: 'TEAM', help: 'the team of a member or viewer' },
    'default-workspace': { type: 'string', short: 'w', value: 'NAME', help: 'where its tasks go when they name no workspace or team' },
    expires: { type: 'string', value: 'WHEN', help: 'expiry: a duration from now (90d, 12h) or an ISO time' },
    'out-file': OUT_FILE,
  },
  output: true,
  examples: [
    ['A token for a developer, saved to a file', 'switchyard token create alice --role member --team backend -w dev-alice --out-file alice.token'],
    ['A CI token that expires in 90 days', 'switchyard token create ci-backend -r member -t backend --expires 90d'],
  ],
  async run(ctx, inv) {
    const { args, flags } = inv;
    const role = flags.choice('role', ROLES);
    if (!role) throw new UsageError(`--role is required: ${ROLES.join(', ')}`);
    const body: TokenCreate = { name: args[0]!, role };
    const team = flags.string('team');
    if (team) body.team = team;
    const ws = flags.string('default-workspace');
    if (ws) body.defaultWorkspace = ws;
    const expires = flags.string('expires');
    if (expires) body.expiresAt = expiryFrom(expires, ctx.io.now());
    const created = await ctx.client().tokens.create(body);
    handOver(ctx, inv, created, `${created.role} token ${created.name}`);
    return 0;
  },
};

const list: Command = {
  name: 'list',
  aliases: ['ls'],
  summary: 'List tokens (never their secrets)',
  output: true,
  examples: [['Who can call the API', 'switchyard token list']],
  async run(ctx, { output }) {
    const tokens = await ctx.client().tokens.list();
    if (output === 'json') printJson(ctx.io, { tokens });
    else if (tokens.length === 0) ctx.io.stderr.write('No tokens.\n');
    else ctx.io.stdout.write(tokenTable(tokens, ctx.io.now()));
    return 0;
  },
};

const revoke: Command = {
  name: 'revoke',
  aliases: ['delete', 'rm'],
  summary: 'Revoke tokens: they stop working at once',
  args: 'ID...',
  minArgs: 1,
  maxArgs: Infinity,
  examples: [['Revoke a leaked token', 'switchyard token revoke tok_0abc123def']],
  async run(ctx, { args }) {
    const client = ctx.client();
    let code: number = EXIT.ok;
    for (const id of args) {
      try {
        await client.tokens.revoke(id);
        ctx.io.stdout.write(`revoked ${id}\n`);
      } catch (err) {
        const e = explain(err, ctx.target(), 'token revoke');
        ctx.io.stderr.write(`${id}: error: ${e.message}\n`);
        code = Math.max(code, e.exitCode);
      }
    }
    return code;
  },
};

export const tokenGroup: Group = {
  name: 'token',
  aliases: ['tokens'],
  summary: 'User tokens: create, list, revoke',
  commands: [create, list, revoke],
};
