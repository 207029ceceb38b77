import { LeaseSchema, SyncResponseSchema, type Lease } from '@switchyard/core';
import { z } from 'zod';

/**
 * The sync answer with each lease left unparsed: one lease the agent cannot take must not make
 * the whole answer (and every later sync) fail. Each is parsed on its own in `startTurn`.
 */
export const SyncAnswerSchema = SyncResponseSchema.extend({ leases: z.array(z.unknown()) });
/** What a lease needs to be reported on at all, when the rest of it does not parse. */
const LeaseIdentitySchema = z.looseObject({ taskId: z.string(), turn: z.int().min(1), leaseToken: z.string(), startSeq: z.int().min(1) });

/** A lease as the schema takes it, or its identity and why it cannot be run; null when not even that. */
export function readLease(raw: unknown): { lease: Lease; refusal: string | null } | null {
  const parsed = LeaseSchema.safeParse(raw);
  if (parsed.success) return { lease: parsed.data, refusal: null };
  const identity = LeaseIdentitySchema.safeParse(raw);
  if (!identity.success) return null;
  const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`);
  return { lease: identity.data as unknown as Lease, refusal: `the lease does not parse (${issues.join('; ')})` };
}
