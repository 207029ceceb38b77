import { describe, expect, it } from 'vitest';
import type { TaskView } from '@switchyard/core';
import { SEARCH_REQUESTS, searchPage, type Searcher } from './search-page.ts';

/**
 * The API's search over `matches` (newest first), as it pages: each request reads at most
 * `budget` matches, keeps those of `team`, and stops at a full page; a short page still carries a
 * cursor while matches are left.
 */
function api(matches: { id: string; team: string }[], budget: number): Searcher & { requests: number } {
  const s = {
    requests: 0,
    search: {
      async tasks(q: { team?: string; limit: number; cursor?: string }) {
        s.requests++;
        let i = q.cursor ? Number(q.cursor) : 0;
        const tasks: TaskView[] = [];
        for (const end = Math.min(matches.length, i + budget); i < end && tasks.length < q.limit; i++) {
          if (!q.team || matches[i]!.team === q.team) tasks.push({ id: matches[i]!.id } as TaskView);
        }
        return { tasks, nextCursor: i < matches.length ? String(i) : null };
      },
    },
  };
  return s;
}

describe('a page of search results in the dashboard', () => {
  const matches = Array.from({ length: 100 }, (_, i) => ({ id: `t${i}`, team: i === 3 || i === 57 || i === 58 ? 'blue' : 'red' }));

  it('follows short pages until it is full, and goes on from where the last request stopped', async () => {
    const client = api(matches, 10);
    const first = await searchPage(client, { q: 'x', team: 'blue' }, 2, undefined);
    expect(first.tasks.map((t) => t.id)).toEqual(['t3', 't57']);
    const next = await searchPage(client, { q: 'x', team: 'blue' }, 2, first.nextCursor!);
    expect(next.tasks.map((t) => t.id)).toEqual(['t58']);
    expect(next.nextCursor).toBeNull();
  });

  it('stops after SEARCH_REQUESTS requests, with a cursor to search further back', async () => {
    const client = api([...Array.from({ length: SEARCH_REQUESTS * 10 }, (_, i) => ({ id: `r${i}`, team: 'red' })), { id: 'b', team: 'blue' }], 10);
    const page = await searchPage(client, { q: 'x', team: 'blue' }, 5, undefined);
    expect(page).toEqual({ tasks: [], nextCursor: String(SEARCH_REQUESTS * 10) });
    expect(client.requests).toBe(SEARCH_REQUESTS);
    expect((await searchPage(client, { q: 'x', team: 'blue' }, 5, page.nextCursor!)).tasks.map((t) => t.id)).toEqual(['b']);
  });
});
