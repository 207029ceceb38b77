import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, isTerminal, TASK_STATUSES } from './task-state.ts';

describe('task state machine', () => {
  it('runs the happy path queued → dispatched → running → completed', () => {
    expect(canTransition('queued', 'dispatched')).toBe(true);
    expect(canTransition('dispatched', 'running')).toBe(true);
    expect(canTransition('running', 'completed')).toBe(true);
  });

  it('never skips from queued straight to a result a process must produce', () => {
    for (const to of ['running', 'completed', 'failed', 'killed'] as const) {
      expect(canTransition('queued', to)).toBe(false);
    }
  });

  it('lets a follow-up take every finished task back to queued, but not a cancelled one', () => {
    for (const from of ['completed', 'failed', 'killed', 'lost'] as const) {
      expect(canTransition(from, 'queued')).toBe(true);
    }
    expect(canTransition('cancelled', 'queued')).toBe(false);
  });

  it('sends a rate-limited turn back to the queue by itself and lets it be cancelled', () => {
    expect(canTransition('running', 'rate_limited')).toBe(true);
    expect(canTransition('rate_limited', 'queued')).toBe(true);
    expect(canTransition('rate_limited', 'cancelled')).toBe(true);
    expect(canTransition('rate_limited', 'completed')).toBe(false);
  });

  it('names the terminal statuses', () => {
    expect(TASK_STATUSES.filter(isTerminal)).toEqual(['completed', 'failed', 'killed', 'lost', 'cancelled']);
  });

  it('refuses a bad transition with a 409 that says from and to', () => {
    expect(() => assertTransition('completed', 'running')).toThrowError(
      expect.objectContaining({ status: 409, code: 'conflict', details: { from: 'completed', to: 'running' } }),
    );
  });
});
