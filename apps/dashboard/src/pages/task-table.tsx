import { useState } from 'react';
import { Anchor, Badge, Button, Group, Table, Text } from '@mantine/core';
import type { TaskListQuery } from '@switchyard/client';
import type { TaskView } from '@switchyard/core';
import { Link } from 'react-router-dom';
import { usePendingApprovals } from '../approvals/store.tsx';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { StatusBadge, useNow } from '../components/bits.tsx';
import { duration, span, usd } from '../lib/format.ts';
import { useReloadOnFleet, useFleetEvents } from '../lib/fleet-events.tsx';
import { useSession } from '../lib/session.tsx';
import { searchPage } from '../lib/search-page.ts';
import { useAsync } from '../lib/use-async.ts';

export type TaskQuery = TaskListQuery & { text?: string };

/** Elapsed: finished − started, or now − started while running. */
function elapsed(t: TaskView, now: number): string {
  if (t.durationMs && t.finishedAt) return duration(t.durationMs);
  if (!t.startedAt) return '—';
  return span((t.finishedAt ? Date.parse(t.finishedAt) : now) - Date.parse(t.startedAt));
}

/**
 * A page of tasks for `query` (text goes to the API's search index), newest first, with live
 * statuses from /v1/events and cursor paging.
 */
export function TaskTable({ query, pageSize = 25 }: { query: TaskQuery; pageSize?: number }) {
  const { client } = useSession();
  const key = JSON.stringify(query);
  // The cursors belong to the query they were given for: a new query starts at its first page
  // in the same render, so no request carries the last query's cursor (a listing's cursor is not
  // a search's).
  const [paging, setPaging] = useState<{ key: string; cursors: (string | undefined)[] }>({ key, cursors: [undefined] });
  const cursors = paging.key === key ? paging.cursors : [undefined];
  const setCursors = (f: (c: (string | undefined)[]) => (string | undefined)[]) => setPaging({ key, cursors: f(cursors) });
  const cursor = cursors.at(-1);
  const page = useAsync(() => {
    const { text, ...q } = query;
    if (text?.trim()) return searchPage(client, { ...q, q: text.trim() }, pageSize, cursor);
    return client.tasks.list({ ...q, limit: pageSize, cursor });
  }, [client, key, cursor]);
  const [live, setLive] = useState<Record<string, string>>({});
  useFleetEvents((e) => {
    if (e.type === 'task') setLive((m) => ({ ...m, [e.data.id]: e.data.status }));
  });
  // New tasks appear at the top of the first page; later pages stay put while being read.
  useReloadOnFleet(page.reload, (e) => e.type === 'task' && cursor === undefined && !page.data?.tasks.some((t) => t.id === e.data.id));
  const now = useNow();
  const tasks = page.data?.tasks ?? [];
  const waiting = new Set(usePendingApprovals().list.map((a) => a.taskId));
  return (
    <>
      <ApiErrorAlert error={page.error} />
      <Table.ScrollContainer minWidth={820}>
        <Table striped highlightOnHover verticalSpacing="xs" data-testid="tasks">
          <Table.Thead>
            <Table.Tr>
              {['Task', 'Status', 'Workspace', 'Team', 'Age', 'Duration', 'Cost', 'Turns'].map((h) => (
                <Table.Th key={h}>{h}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tasks.map((t) => (
              <Table.Tr key={t.id} data-task={t.id}>
                <Table.Td maw={360}>
                  <Anchor component={Link} to={`/tasks/${t.id}`} size="sm" lineClamp={1}>
                    {t.prompt.slice(0, 160)}
                  </Anchor>
                  <Text size="xs" c="dimmed">{t.id}</Text>
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={live[t.id] ?? t.status} />
                  {waiting.has(t.id) && <Badge color="orange" variant="light" ml={4}>waiting on approval</Badge>}
                </Table.Td>
                <Table.Td>{t.workspace ?? '(pool)'}</Table.Td>
                <Table.Td>{t.team}</Table.Td>
                <Table.Td>{span(now - Date.parse(t.createdAt))}</Table.Td>
                <Table.Td>{elapsed(t, now)}</Table.Td>
                <Table.Td>{usd(t.costUsd)}</Table.Td>
                <Table.Td>{t.turns.length}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {page.data && tasks.length === 0 && (
        <Text c="dimmed" size="sm">
          {page.data.nextCursor ? 'No match among the newest tasks searched; Older searches further back.' : 'No task matches.'}
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" size="xs" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </Button>
        <Button variant="default" size="xs" disabled={!page.data?.nextCursor} onClick={() => setCursors((c) => [...c, page.data!.nextCursor!])}>
          Older
        </Button>
      </Group>
    </>
  );
}
