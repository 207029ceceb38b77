import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
// BullMQ's own script for a prioritized job, the one Queue.add runs (bullmq has no exports map).
import { addPrioritizedJob } from 'bullmq/dist/esm/scripts/addPrioritizedJob-9.js';
import { Command, type Redis } from 'ioredis';
import { Packr } from 'msgpackr';

/** How BullMQ packs a job's arguments and options (its redis-queue-backend). */
const packer = new Packr({ useRecords: false, encodeUndefinedAsNil: true });
const SCRIPT: string = addPrioritizedJob.content;
const SHA = createHash('sha1').update(SCRIPT).digest('hex');
/** The script's nine keys, in its order. */
const KEYS = ['marker', 'meta', 'id', 'prioritized', 'delayed', 'completed', 'active', 'events', 'pc'] as const;
/** BullMQ's PRIORITY_LIMIT. */
const MAX_PRIORITY = 2 ** 21;
const CRLF = Buffer.from('\r\n');

const bulk = (b: Buffer): Buffer[] => [Buffer.from(`$${b.length}\r\n`), b, CRLF];

/** A command ioredis writes as the bytes it is given; its answer is read, timed and failed like any other's. */
class EncodedCommand extends Command {
  constructor(private readonly encoded: Buffer) {
    super('evalsha', [], { replyEncoding: 'utf8' });
  }

  override toWritable(): Buffer {
    return this.encoded;
  }
}

interface Encoded {
  /** `EVALSHA <sha> 9 <keys>`, the part of the command every job of the queue shares. */
  head: Buffer;
  keys: string[];
  prefixKey: string;
  defaults: Record<string, unknown>;
}

/**
 * Adds a job with a priority (1 or more) and no delay as `queue.add(name, data, { jobId,
 * priority })` does: BullMQ's own `addPrioritizedJob` script with the arguments and options
 * BullMQ would pack, sent on the queue's connection as one command whose queue-wide part is
 * encoded once. Through Queue.add the client built a Job, its JSON, a trace span and ioredis's
 * generic command per add: 18–27 µs of CPU against 8–10 (`bench/NOTES.md`). A Redis that does
 * not have the script (one restarted or flushed) is sent the script itself, as ioredis does for
 * BullMQ's commands. `job-add.test.ts` holds what it stores equal to what Queue.add stores.
 */
export class JobAdder {
  private readonly encoded = new WeakMap<Queue, Encoded>();

  constructor(private readonly connection: Redis) {}

  async add(queue: Queue, name: string, data: unknown, jobId: string, priority: number): Promise<string> {
    // Queue.add puts a job of priority 0 in the wait list with another script: not this one's.
    if (!Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY) throw new Error(`Priority should be between 1 and ${MAX_PRIORITY}`);
    const q = this.of(queue);
    // As Job.create makes them: the options are { attempts: 0, ...the queue's defaults, jobId, priority }.
    const args = packer.pack([q.prefixKey, jobId, name, Date.now(), null, null, undefined, undefined, null, null]);
    const opts = packer.pack({ attempts: 0, ...q.defaults, jobId, priority });
    const json = Buffer.from(JSON.stringify(data === undefined ? {} : data));
    const command = Buffer.concat([q.head, ...bulk(args), ...bulk(json), ...bulk(opts)]);
    let result: unknown;
    try {
      result = await this.connection.sendCommand(new EncodedCommand(command));
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      result = await this.connection.eval(SCRIPT, KEYS.length, ...q.keys, args, json, opts);
    }
    if (typeof result === 'number' && result < 0) throw new Error(`BullMQ's addPrioritizedJob refused job ${jobId}: code ${result}`);
    return String(result);
  }

  private of(queue: Queue): Encoded {
    let q = this.encoded.get(queue);
    if (!q) {
      const keys = KEYS.map((k) => queue.keys[k]!);
      const words = ['EVALSHA', SHA, String(KEYS.length), ...keys];
      const head = Buffer.concat([Buffer.from(`*${words.length + 3}\r\n`), ...words.flatMap((w) => bulk(Buffer.from(w)))]);
      q = { head, keys, prefixKey: queue.keys['']!, defaults: queue.defaultJobOptions as Record<string, unknown> };
      this.encoded.set(queue, q);
    }
    return q;
  }
}
