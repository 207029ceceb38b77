import { EventsAckSchema, MAX_EVENTS_BODY_BYTES, MAX_OUTPUT_LINE_BYTES, type OutputLine } from '@switchyard/core';
import { ApiError, withJson, type ApiPost } from '../api-client.ts';
import type { TurnRecord } from './layout.ts';
import { isTruncationMarker, truncationMarker } from './truncate.ts';

// How output is cut into POSTs. This is the one place batch sizing lives. Sizes are UTF-8 bytes
// of the JSON body as sent (escaping included), never JS characters.
const BATCH_LINES = 500;
/** A batch aims at this; one line alone may take more, up to MAX_EVENTS_BODY_BYTES. */
const BATCH_BYTES = Math.min(512 * 1024, MAX_EVENTS_BODY_BYTES);
/** `{"turn":…,"lines":[]}` with room to spare. */
const ENVELOPE_BYTES = 64;
/** Lines read but not yet acknowledged, past which reading waits for shipping. */
const BACKLOG_LINES = 20 * BATCH_LINES;
/** Batches sent before the first is answered: the API's work on one overlaps the trip of the next. */
const IN_FLIGHT = 4;

/** A line waiting to be shipped, serialised once: as it appears in a body, and its bytes there with a comma. */
interface Queued {
  line: OutputLine;
  json: string;
  bytes: number;
}

const queued = (line: OutputLine): Queued => {
  const json = JSON.stringify(line);
  return { line, json, bytes: Buffer.byteLength(json) + 1 };
};

/**
 * Ships a turn's lines to the API in order, in batches. The API answers each batch with the
 * highest contiguous seq it holds (ackSeq); that is persisted in state.json, so neither a failed
 * POST nor a new agent process loses or repeats a line the API has.
 */
export class Shipper {
  private pending: Queued[] = [];
  /** Lowered when the API refuses a batch as too large (413): it may have a smaller limit. */
  private maxLines = BATCH_LINES;

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
    if (line.seq <= this.ackSeq) return;
    // The runner already cuts long lines; this holds for output written by anything else too.
    const q = queued(line);
    // The line's own bytes are at most its serialised ones: counted only when those are too many.
    const tooLong = q.bytes > MAX_OUTPUT_LINE_BYTES && Buffer.byteLength(line.line) > MAX_OUTPUT_LINE_BYTES;
    this.pending.push(tooLong ? queued({ ...line, line: truncationMarker(line.line) }) : q);
  }

  /**
   * Ships everything queued, up to IN_FLIGHT batches at once, their answers taken in the order
   * they were sent. Returns the API's ackSeq when it holds less than it was sent (it lost an
   * earlier write, or dropped a batch that overtook the one before it): the caller re-reads from
   * there. A failed POST throws once the batches in flight are answered; the lines stay queued
   * for the next call, which starts again after the acknowledged seq.
   */
  async ship(): Promise<number | null> {
    while (this.pending.length > 0) {
      const short = await this.shipWindow();
      if (short !== null) return short;
    }
    return null;
  }

  /**
   * One run of pipelined batches from the acknowledged seq. An answer short of its batch may
   * only mean a later batch overtook an earlier one, so nothing more is sent and, once every
   * batch in flight is answered, the best ackSeq of the run decides: all there, or rewind.
   */
  private async shipWindow(): Promise<number | null> {
    const { taskId, turn } = this.record.state.lease;
    const inFlight: { batch: Queued[]; answer: Promise<{ ackSeq: number } | { err: unknown }> }[] = [];
    let sentUpTo = this.ackSeq;
    /** The best answer of this run: once all are in, what the API holds (a lost write lowers it). */
    let best = -1;
    let failure: { err: unknown; batch: Queued[] } | null = null;
    let short = false;
    for (;;) {
      while (!failure && !short && inFlight.length < IN_FLIGHT) {
        const batch = this.nextBatch(sentUpTo);
        if (batch.length === 0) break;
        sentUpTo = batch.at(-1)!.line.seq;
        // The body is the lines as serialised when they were queued, not serialised again.
        const body = withJson({ turn, lines: batch.map((q) => q.line) }, `{"turn":${turn},"lines":[${batch.map((q) => q.json).join(',')}]}`);
        const answer = this.post(`/tasks/${taskId}/events`, body, EventsAckSchema).catch((err: unknown) => ({ err }));
        inFlight.push({ batch, answer });
      }
      const next = inFlight.shift();
      if (!next) break;
      const answer = await next.answer;
      if ('err' in answer) {
        failure ??= { err: answer.err, batch: next.batch };
        continue;
      }
      best = Math.max(best, answer.ackSeq);
      this.acknowledge(answer.ackSeq);
      if (best < next.batch.at(-1)!.line.seq) short = true;
    }
    // ackSeq goes to disk once a run: one lower than the API's only means lines sent again.
    this.record.update({});
    if (failure) {
      if (this.shrinkAfter(failure.err, failure.batch)) return null;
      throw failure.err;
    }
    if (best >= 0 && best < sentUpTo) {
      this.rewind(best);
      return best;
    }
    return null;
  }

  /** Forgets what is queued and lowers ackSeq to the API's, so lines after it are sent again. */
  rewind(ackSeq: number): void {
    this.record.update({ ackSeq: Math.min(this.ackSeq, ackSeq) });
    this.pending = [];
  }

  /** As many lines after seq `after` as fit the byte budget, at least one: a line is never split. */
  private nextBatch(after: number): Queued[] {
    const batch: Queued[] = [];
    let bytes = ENVELOPE_BYTES;
    for (const q of this.pending) {
      if (q.line.seq <= after) continue;
      if (batch.length >= this.maxLines || (batch.length > 0 && bytes + q.bytes > BATCH_BYTES)) break;
      batch.push(q);
      bytes += q.bytes;
    }
    return batch;
  }

  /**
   * After a 413: a batch of several lines is sent again in smaller batches; a line refused alone
   * becomes the truncation marker, so no answer of the API can hold the turn up for good.
   * False when there is nothing left to shrink.
   */
  private shrinkAfter(err: unknown, batch: Queued[]): boolean {
    if (!(err instanceof ApiError) || err.status !== 413) return false;
    if (batch.length > 1) {
      this.maxLines = Math.max(1, Math.floor(batch.length / 2));
      return true;
    }
    const at = this.pending.findIndex((q) => q.line.seq === batch[0]!.line.seq);
    const only = this.pending[at]?.line;
    if (!only || isTruncationMarker(only.line)) return false;
    this.pending[at] = queued({ ...only, line: truncationMarker(only.line) });
    return true;
  }

  private acknowledge(ackSeq: number): void {
    // A batch got through: let batches grow back after a 413 halved them.
    this.maxLines = Math.min(BATCH_LINES, this.maxLines * 2);
    if (ackSeq > this.ackSeq) this.record.state.ackSeq = ackSeq;
    this.pending = this.pending.filter((q) => q.line.seq > this.ackSeq);
  }
}
