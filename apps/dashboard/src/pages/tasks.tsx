import { useEffect, useState } from 'react';
import { Button, Group, MultiSelect, Select, Stack, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { TASK_STATUSES } from '@switchyard/core';
import { useSearchParams } from 'react-router-dom';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { TaskCreate } from './task-create.tsx';
import { TaskTable } from './task-table.tsx';

/** Filterable, paginated tasks; the filters live in the URL so a view can be shared. */
export function TasksPage() {
  const { client, canWrite } = useSession();
  const [params, setParams] = useSearchParams();
  const [creating, setCreating] = useState(false);
  const [text, setText] = useState(params.get('q') ?? '');
  const [debounced] = useDebouncedValue(text, 300);
  const workspaces = useAsync(() => client.workspaces.list(), [client]);
  const teams = useAsync(() => client.teams.list(), [client]);
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  useEffect(() => set('q', debounced.trim() || null), [debounced]); // eslint-disable-line react-hooks/exhaustive-deps
  const status = params.get('status')?.split(',').filter(Boolean) ?? [];
  const query = {
    status: status.length ? status.join(',') : undefined,
    workspace: params.get('workspace') ?? undefined,
    team: params.get('team') ?? undefined,
    text: params.get('q') ?? undefined,
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Tasks</Title>
        {canWrite && <Button onClick={() => setCreating(true)}>New task</Button>}
      </Group>
      <Group align="flex-end" gap="sm">
        <TextInput label="Search prompts and results" placeholder="words…" value={text} onChange={(e) => setText(e.currentTarget.value)} w={260} type="search" />
        <MultiSelect label="Status" data={[...TASK_STATUSES]} value={status} onChange={(v) => set('status', v.join(',') || null)} clearable w={260} />
        <Select label="Workspace" data={(workspaces.data ?? []).map((w) => w.name)} value={query.workspace ?? null} onChange={(v) => set('workspace', v)} clearable searchable w={180} />
        <Select label="Team" data={(teams.data ?? []).map((t) => t.name)} value={query.team ?? null} onChange={(v) => set('team', v)} clearable searchable w={160} />
      </Group>
      <TaskTable query={query} />
      {creating && <TaskCreate onClose={() => setCreating(false)} />}
    </Stack>
  );
}
