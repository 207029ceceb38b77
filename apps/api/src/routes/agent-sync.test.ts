import { describe, expect, it } from 'vitest';
import { jitteredWait } from './agent-sync.ts';

describe('jitteredWait', () => {
  it('ends a first wait in its second half, never after the wait asked for', () => {
    expect(jitteredWait(2_000, true, 0)).toBe(2_000);
    expect(jitteredWait(2_000, true, 0.999_999)).toBe(1_001);
    expect(jitteredWait(25_000, true, 0.5)).toBe(18_750);
  });

  it('takes at most a fifth, and at most 5 s, off a later wait', () => {
    expect(jitteredWait(2_000, false, 0.999_999)).toBe(1_601);
    expect(jitteredWait(25_000, false, 0.999_999)).toBe(20_001);
    expect(jitteredWait(60_000, false, 0.999_999)).toBe(55_001);
    expect(jitteredWait(60_000, false, 0)).toBe(60_000);
  });
});
