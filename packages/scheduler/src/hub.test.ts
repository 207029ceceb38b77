import { describe, expect, it } from 'vitest';
import { Hub } from './hub.ts';

/** 'woken' if `p` settles within a second, else 'still waiting'. */
const within = (p: Promise<unknown>): Promise<string> =>
  Promise.race([p.then(() => 'woken'), new Promise<string>((r) => setTimeout(() => r('still waiting'), 1_000))]);

describe('waking long-polls', () => {
  it('wakes the syncs of the workspace named, and no other', async () => {
    const hub = new Hub();
    const mine = hub.waitForWake('ws-a', 60_000);
    const other = hub.waitForWake('ws-b', 60_000);
    hub.emit('wake', 'ws-a');
    expect(await within(mine)).toBe('woken');
    expect(await within(other)).toBe('still waiting');
    expect(hub.waiting()).toBe(1);
    hub.emit('wake', 'ws-b');
    expect(await within(other)).toBe('woken');
    expect(hub.waiting()).toBe(0);
  });

  it('does not lose a wake that lands while the sync is still looking for work', async () => {
    const hub = new Hub();
    const mark = hub.wakeMark('ws-a');
    // A task is created between the sync's look (which found nothing) and its wait.
    hub.emit('wake', 'ws-a');
    expect(await within(hub.waitForWake('ws-a', 60_000, undefined, { since: mark }))).toBe('woken');
    // Nothing new since the next look: the next wait waits.
    const next = hub.wakeMark('ws-a');
    expect(await within(hub.waitForWake('ws-a', 60_000, undefined, { since: next }))).toBe('still waiting');
  });

  it('wakes one idle pool agent for pool work, the one that waited longest, not the whole team', async () => {
    const hub = new Hub();
    const woken: string[] = [];
    const waits = ['p1', 'p2', 'p3'].map((ws) =>
      hub.waitForWake(ws, 60_000, undefined, { poolOf: 'team-1' }).then(() => void woken.push(ws)),
    );
    const otherTeam = hub.waitForWake('q1', 60_000, undefined, { poolOf: 'team-2' });
    hub.wakePool('team-1');
    await within(waits[0]!);
    expect(woken).toEqual(['p1']);
    hub.wakePool('team-1');
    await within(waits[1]!);
    expect(woken).toEqual(['p1', 'p2']);
    expect(await within(otherTeam)).toBe('still waiting');
    expect(hub.waiting()).toBe(2);
  });

  it('ends a wait when its request is aborted', async () => {
    const hub = new Hub();
    const abort = new AbortController();
    const wait = hub.waitForWake('ws-a', 60_000, abort.signal);
    abort.abort();
    expect(await within(wait)).toBe('woken');
    expect(hub.waiting('ws-a')).toBe(0);
  });
});
