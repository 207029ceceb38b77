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

  async mark(): Promise<void> {
    await this.connection.set(this.key, '1');
  }
}
