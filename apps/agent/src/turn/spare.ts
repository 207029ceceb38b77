/**
 * A runner started ahead of the next lease, in its own tmux session, waiting for a spec (see
 * spare-wait.ts). Taking it is a socket write and a tmux rename instead of a tmux session and a
 * Node process started while the task waits. At most one spare waits; a new one starts as soon
 * as one is taken. Spares left by an earlier agent process are killed at start: nothing of
 * theirs is a turn yet.
 */
import { connect } from 'node:net';
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Tmux } from '../tmux.ts';
import { SPARE_FLAG, SPARE_TOOK } from './spare-wait.ts';

const PREFIX = 'sy-spare-';
/**
 * How long the agent waits for a spare that accepted the connection to say it took the spec; it
 * answers before anything else, so only a wedged runner takes this long.
 */
const TAKE_TIMEOUT_MS = 10_000;
/** A spare not listening after this is taken for dead and replaced. */
const STARTING_MS = 30_000;

export interface SpareDeps {
  dir: string;
  tmux: Pick<Tmux, 'start' | 'kill' | 'rename' | 'list'>;
  /** The runner's command line, to which `--spare <socket> <agentPid>` is added. */
  runner: string[];
  onError?: (what: string, err: unknown) => void;
}

export class Spares {
  private waiting: { session: string; socket: string; startedAt: number } | null = null;
  private starting: Promise<void> | null = null;
  private n = 0;
  /** Names differ from those of an earlier agent process, whose spares may not be gone yet. */
  private readonly stamp = Date.now().toString(36);
  private closed = false;
  private readonly naming = new Map<string, Promise<void>>();

  constructor(private readonly deps: SpareDeps) {}

  private get socketDir(): string {
    return join(this.deps.dir, 'spares');
  }

  /** Kills the spares an earlier agent process left, then starts one. */
  async start(): Promise<void> {
    for (const s of await this.deps.tmux.list()) if (s.startsWith(PREFIX)) await this.deps.tmux.kill(s);
    rmSync(this.socketDir, { recursive: true, force: true });
    mkdirSync(this.deps.dir, { recursive: true, mode: 0o700 });
    // The sockets are reachable by the agent's user only: whoever writes one starts a turn.
    mkdirSync(this.socketDir, { recursive: true, mode: 0o700 });
    chmodSync(this.socketDir, 0o700);
    this.refill();
  }

  /** Starts a spare unless one waits or is starting. */
  refill(): void {
    if (this.closed || this.waiting || this.starting) return;
    const name = `${this.stamp}-${++this.n}`;
    const session = `${PREFIX}${name}`;
    const socket = join(this.socketDir, `${name}.sock`);
    this.starting = this.deps.tmux.start(session, this.deps.dir, [...this.deps.runner, SPARE_FLAG, socket, String(process.pid)]).then((error) => {
      this.starting = null;
      if (error) this.deps.onError?.('a spare runner could not start', error);
      else if (this.closed) void this.deps.tmux.kill(session);
      else this.waiting = { session, socket, startedAt: Date.now() };
    });
  }

  /** A spare waits and listens. */
  get ready(): boolean {
    return this.waiting !== null && existsSync(this.waiting.socket);
  }

  /**
   * Hands `specFile` to the waiting spare, which starts claude at once, and names its session
   * `session`, closing what held the name. False when no spare took it: the caller starts the
   * turn the slow way.
   */
  async take(session: string, specFile: string): Promise<boolean> {
    const spare = this.waiting;
    if (!spare) {
      this.refill(); // one that could not start is tried again, for the next lease
      return false;
    }
    // Still starting (Node takes a while): it stays for the next lease, unless it never will.
    if (!existsSync(spare.socket) && Date.now() - spare.startedAt < STARTING_MS) return false;
    this.waiting = null;
    const took = await handOver(spare.socket, specFile);
    if (!took) {
      // Not listening (yet, or any more): it is no use, and a fresh one replaces it.
      void this.deps.tmux.kill(spare.session);
      this.refill();
      return false;
    }
    // claude runs already; the session takes the turn's name meanwhile (tmux calls on the
    // turn's session wait for it: see `settled`).
    const naming = this.rename(spare.session, session).finally(() => this.naming.delete(session));
    this.naming.set(session, naming);
    this.refill();
    return true;
  }

  /** Resolves once a session handed to a spare carries its name (at once for any other). */
  settled(session: string): Promise<void> {
    return this.naming.get(session) ?? Promise.resolve();
  }

  private async rename(spare: string, session: string): Promise<void> {
    const { tmux } = this.deps;
    // A finished session of an earlier turn of the same task may still hold the name: asking
    // first would cost a tmux call on every turn, and this is rare.
    if (await tmux.rename(spare, session)) return;
    await tmux.kill(session);
    // The runner has the turn and records how it ends; only its pane would be hard to find.
    if (!(await tmux.rename(spare, session))) this.deps.onError?.('a spare took a turn but its session could not be renamed', session);
  }

  /** Kills the waiting spare; none starts after. */
  async close(): Promise<void> {
    this.closed = true;
    await this.starting;
    if (this.waiting) await this.deps.tmux.kill(this.waiting.session);
    this.waiting = null;
  }
}

/** Sends the spec's path; true once the runner answered that it took it. */
function handOver(socket: string, specFile: string): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = connect(socket);
    let answer = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      conn.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), TAKE_TIMEOUT_MS);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(`${specFile}\n`));
    conn.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.includes('\n')) done(answer.trim() === SPARE_TOOK);
    });
    conn.on('error', () => done(false));
    conn.on('close', () => done(answer.trim() === SPARE_TOOK));
  });
}
