import type { TaskListQuery } from '@switchyard/client';
import type { TaskView } from '@switchyard/core';

type Page = { tasks: TaskView[]; nextCursor: string | null };
type SearchQuery = Omit<TaskListQuery, 'limit' | 'cursor'> & { q: string };

/** What searchPage needs of the API client. */
export interface Searcher {
  search: { tasks(q: SearchQuery & { limit: number; cursor?: string }): Promise<Page> };
}

/** Requests a page may take to fill: the API reads at most 5,000 matches per request. */
export const SEARCH_REQUESTS = 10;

/**
 * A page of search results, filled by following the API's cursor while its pages come back short
 * (a filter, or a member's own team, that few of the newest matches pass), in at most
 * SEARCH_REQUESTS requests; the cursor returned goes on from where the last one stopped.
 */
export async function searchPage(client: Searcher, q: SearchQuery, limit: number, cursor: string | undefined): Promise<Page> {
  let page = await client.search.tasks({ ...q, limit, cursor });
  const tasks = [...page.tasks];
  for (let i = 1; i < SEARCH_REQUESTS && tasks.length < limit && page.nextCursor; i++) {
    page = await client.search.tasks({ ...q, limit: limit - tasks.length, cursor: page.nextCursor });
    tasks.push(...page.tasks);
  }
  return { tasks, nextCursor: page.nextCursor };
}
