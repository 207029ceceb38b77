import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What the sim remembers of a session between runs. */
export interface SessionRecord {
  sessionId: string;
  createdAt: number;
  /** Runs of this session so far, the first (`--session-id`) and every `--resume`. */
  runs: number;
  /** Runs that reached a `@sim rate_limit` directive: the first TIMES of them are refused. */
  rateLimitHits: number;
  /** What the session has cost so far: the real CLI reports this running total on --resume. */
  costUsd: number;
  /** The prompt of a run an API error interrupted: the session holds it, a resume continues it. */
  pendingPrompt: string | null;
}

/** `CLAUDE_SIM_STATE_DIR`, else `~/.claude-sim`. */
export function defaultStateDir(env: Record<string, string | undefined>): string {
  return env.CLAUDE_SIM_STATE_DIR || join(homedir(), '.claude-sim');
}

/**
 * One small JSON file per session. Writes go to a temp file renamed over the old one, so
 * concurrent runs of different sessions never share a file and a reader never sees a torn one.
 */
export class SessionStore {
  constructor(private readonly dir: string) {}

  get(sessionId: string): SessionRecord | null {
    try {
      const parsed = JSON.parse(
        readFileSync(this.file(sessionId), 'utf8'),
      ) as Partial<SessionRecord>;
      return {
        sessionId,
        createdAt: parsed.createdAt ?? 0,
        runs: parsed.runs ?? 0,
        rateLimitHits: parsed.rateLimitHits ?? 0,
        costUsd: parsed.costUsd ?? 0,
        pendingPrompt: parsed.pendingPrompt ?? null,
      };
    } catch {
      return null;
    }
  }

  /** Counts one more run of the session, creating it on its first run. */
  startRun(sessionId: string, now = Date.now()): SessionRecord {
    const prior = this.get(sessionId) ?? { sessionId, createdAt: now, runs: 0, rateLimitHits: 0, costUsd: 0, pendingPrompt: null };
    const next = { ...prior, runs: prior.runs + 1 };
    this.put(next);
    return next;
  }

  /** Counts a run that reached `@sim rate_limit`; returns how many did before this one. */
  hitRateLimit(sessionId: string): number {
    const record = this.get(sessionId) ?? this.startRun(sessionId);
    this.put({ ...record, rateLimitHits: record.rateLimitHits + 1 });
    return record.rateLimitHits;
  }

  /** Ends a run: adds its cost to the session's total and keeps its prompt if an error cut it short. */
  endRun(sessionId: string, usd: number, interruptedPrompt: string | null): void {
    const record = this.get(sessionId) ?? this.startRun(sessionId);
    this.put({ ...record, costUsd: record.costUsd + usd, pendingPrompt: interruptedPrompt });
  }

  private put(record: SessionRecord): void {
    mkdirSync(this.dir, { recursive: true });
    const target = this.file(record.sessionId);
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(record)}\n`);
    renameSync(tmp, target);
  }

  private file(sessionId: string): string {
    // --resume takes any string; keep it from naming a path outside the state dir.
    return join(this.dir, `${encodeURIComponent(sessionId).replace(/^\.+/, '_')}.json`);
  }
}
