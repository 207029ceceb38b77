import type { TurnRecord } from './layout.ts';

/** What the time limits need of a turn's approval waits. */
export interface Waits {
  /** Milliseconds spent waiting on approvals so far, the wait now open included. */
  waitedMs: number;
  /** An approval is being waited on now. */
  waiting: boolean;
  /** When the last wait ended: the idle clock starts again from there. */
  endedAt: number | null;
}

/**
 * The time a turn spent waiting on approvals, which its idle timeout and max duration do not
 * count: claude is silent because a person has not answered yet, not because it hangs. Kept in
 * state.json, so an agent restart loses none of it.
 */
export class WaitClock {
  private open = 0;

  constructor(
    private readonly record: TurnRecord,
    private readonly now: () => number = Date.now,
  ) {
    // A wait still open when an earlier agent process stopped counts until now; the MCP server
    // asks this process again, which opens a new one.
    const since = record.state.approvalWaitingSince;
    if (since) this.close(since);
  }

  /** An approval of this turn is now waited on. */
  begin(): void {
    if (this.open++ === 0) this.record.update({ approvalWaitingSince: this.now() });
  }

  /** An approval of this turn got its answer (or the wait was given up). */
  end(): void {
    if (this.open === 0) return;
    if (--this.open === 0 && this.record.state.approvalWaitingSince) this.close(this.record.state.approvalWaitingSince);
  }

  snapshot(): Waits {
    const { approvalWaitMs = 0, approvalWaitingSince, approvalWaitEndedAt = null } = this.record.state;
    const open = approvalWaitingSince ? Math.max(0, this.now() - approvalWaitingSince) : 0;
    return { waitedMs: approvalWaitMs + open, waiting: Boolean(approvalWaitingSince), endedAt: approvalWaitEndedAt };
  }

  private close(since: number): void {
    const now = this.now();
    const waited = (this.record.state.approvalWaitMs ?? 0) + Math.max(0, now - since);
    this.record.update({ approvalWaitMs: waited, approvalWaitingSince: null, approvalWaitEndedAt: now });
  }
}
