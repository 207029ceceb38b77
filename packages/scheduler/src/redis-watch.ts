import type { Redis } from 'ioredis';

/**
 * Signs that SQLite and Redis may have come apart, which the reconciler looks for before it
 * compares them in full: a connection dropped or a queue call failed (`troubles` counts both),
 * Redis restarted (its `run_id` changed), or Redis no longer holds the mark the last full
 * comparison set (a flush, or a restore of an older file).
 */
export class RedisWatch {
  troubles = 0;

  constructor(
    private readonly connection: Redis,
    private readonly key: string,
    watched: Redis[],
  ) {
    for (const c of new Set(watched)) c.on('close', () => this.troubles++);
  }

  /**
   * Which Redis answers, and whether it holds the mark: one round trip. A Redis that refuses INFO
   * (an ACL, a renamed command) gives no run_id; its restarts still drop our connections.
   */
  async look(): Promise<{ runId: string; marked: boolean }> {
    const info = this.connection.info('server').catch(() => '');
    const [server, marked] = await Promise.all([info, this.connection.exists(this.key)]);
    return { runId: /run_id:(\w+)/.exec(server)?.[1] ?? '', marked: marked === 1 };
  }

  /** `p`, or a "Command timed out" error after `ms`; either failure is counted as a trouble. */
  async within<T>(p: Promise<T>, ms: number | undefined): Promise<T> {
    if (!ms) return p.catch((err: unknown) => this.troubled(err));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      // The error is made when it happens: one made ahead for every add was a few % of a create.
      timer = setTimeout(() => reject(new Error(`Command timed out: Redis did not answer in ${ms} ms`)), ms);
    });
    p.catch(() => undefined); // a late failure after the timeout is nobody's to handle
    try {
      return await Promise.race([p, late]);
    } catch (err) {
      return this.troubled(err);
    } finally {
      clearTimeout(timer);
    }
  }

  private troubled(err: unknown): never {
    this.troubles++;
    throw err;
  }

  async mark(): Promise<void> {
    await this.connection.set(this.key, '1');
  }
}
