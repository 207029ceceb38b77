import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  findTeam,
  findTokenBySecret,
  findWorkspace,
  insertTeam,
  insertToken,
  insertWorkspace,
  setTokenDefaultWorkspace,
  type DbHandle,
} from '@switchyard/db';

function readSecret(file: string): string | null {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || null : null;
}

/** Writes a secret readable by its owner only; never logged. */
function writeSecret(file: string, secret: string): void {
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
}

/**
 * First start: an admin token in <data>/admin-token (written once, mode 0600). With `local`,
 * team `default`, workspace `local` and an agent token in <data>/agent-token for the local agent.
 * Idempotent: a later start reuses what exists, and re-registers a token file whose hash the
 * database lost.
 */
export function bootstrap(h: DbHandle, dataDir: string, local: boolean, logger: Logger): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const adminFile = join(dataDir, 'admin-token');
  h.tx(() => {
    const existing = readSecret(adminFile);
    if (existing && findTokenBySecret(h.db, existing)) return;
    if (existing) {
      insertToken(h.db, { kind: 'user', name: 'bootstrap-admin', role: 'admin' }, existing);
      return;
    }
    const { secret } = insertToken(h.db, { kind: 'user', name: 'bootstrap-admin', role: 'admin' });
    writeSecret(adminFile, secret);
    logger.info({ file: adminFile }, 'admin token written (mode 0600)');
  });
  if (!local) return;
  h.tx(() => {
    const team = findTeam(h.db, 'default') ?? insertTeam(h.db, 'default');
    const ws =
      findWorkspace(h.db, 'local') ??
      insertWorkspace(h.db, {
        name: 'local',
        teamId: team.id,
        workdirRoots: [...new Set([homedir(), tmpdir(), '/tmp', process.cwd()])],
      });
    // The bootstrap admin's tasks go to `local` by default, so /api/claude works out of the box.
    const admin = findTokenBySecret(h.db, readSecret(adminFile)!);
    if (admin && admin.defaultWorkspaceId === null) setTokenDefaultWorkspace(h.db, admin.id, ws.id);
    const agentFile = join(dataDir, 'agent-token');
    const existing = readSecret(agentFile);
    const row = existing ? findTokenBySecret(h.db, existing) : undefined;
    if (row && row.revokedAt === null && row.workspaceId === ws.id) return;
    const { secret } = insertToken(h.db, {
      kind: 'agent',
      name: 'local-agent',
      role: 'agent',
      teamId: team.id,
      workspaceId: ws.id,
    });
    writeSecret(agentFile, secret);
    logger.info({ file: agentFile }, 'local agent token written (mode 0600)');
  });
}
