import { EventsAckSchema, type OutputLine } from '@switchyard/core';
import type { ApiPost } from '../api-client.ts';
import type { TurnRecord } from './layout.ts';

// How output is cut into POSTs. This is the one place batch sizing lives.
const BATCH_LINES = 500;
const BATCH_BYTES = 512 * 1024;
/** Per-line overhead counted against BATCH_BYTES (seq, ts, JSON punctuation). */
const LINE_OVERHEAD = 40;
/** Lines read but not yet acknowledged, past which reading waits for shipping. */
const BACKLOG_LINES = 20 * BATCH_LINES;

/**
 * Ships a turn's lines to the API in order, in batches. The API answers each batch with the
 * highest contiguous seq it holds (ackSeq); that is persisted in state.json, so neither a failed
 * POST nor a new agent process loses or repeats a line the API has.
 */
export class Shipper {
  private pending: OutputLine[] = [];

  constructor(
    private readonly post: ApiPost,
    private readonly record: TurnRecord,
  ) {}

  /** Highest seq the API acknowledged. */
  get ackSeq(): number {
    return this.record.state.ackSeq;
  }

  /** Nothing waits to be shipped. */
  get idle(): boolean {
    return this.pending.length === 0;
  }

  /** Enough is waiting that reading more can wait. */
  get full(): boolean {
    return this.pending.length > BACKLOG_LINES;
  }

  /** Queues a line read from the output, unless the API already holds it. */
  offer(line: OutputLine): void {
    if (line.seq > this.ackSeq) this.pending.push(line);
  }

  /**
   * Ships everything queued. Returns the API's ackSeq when it holds less than it was sent (it
   * lost an earlier write): the caller re-reads from there. A failed POST throws, and the lines
   * stay queued for the next call.
   */
  async ship(): Promise<number | null> {
    const { taskId, turn } = this.record.state.lease;
    while (this.pending.length > 0) {
      const batch = this.nextBatch();
      const { ackSeq } = await this.post(`/tasks/${taskId}/events`, { turn, lines: batch }, EventsAckSchema);
      this.acknowledge(ackSeq);
      if (ackSeq < batch.at(-1)!.seq) {
        this.rewind(ackSeq);
        return ackSeq;
      }
    }
    return null;
  }

  /** Forgets what is queued and lowers ackSeq to the API's, so lines after it are sent again. */
  rewind(ackSeq: number): void {
    this.record.update({ ackSeq: Math.min(this.ackSeq, ackSeq) });
    this.pending = [];
  }

  private nextBatch(): OutputLine[] {
    const batch: OutputLine[] = [];
    let bytes = 0;
    for (const l of this.pending) {
      if (batch.length >= BATCH_LINES || (batch.length > 0 && bytes + l.line.length > BATCH_BYTES)) break;
      batch.push(l);
      bytes += l.line.length + LINE_OVERHEAD;
    }
    return batch;
  }

  private acknowledge(ackSeq: number): void {
    if (ackSeq > this.ackSeq) this.record.update({ ackSeq });
    this.pending = this.pending.filter((l) => l.seq > this.ackSeq);
  }
}
