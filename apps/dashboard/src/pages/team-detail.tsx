import { useState } from 'react';
import { Button, Card, Group, NumberInput, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { Quota, TeamView } from '@switchyard/core';
import { useParams } from 'react-router-dom';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { DailyChart } from '../components/daily-chart.tsx';
import { UsageBars } from '../components/usage.tsx';
import { useReloadOnFleet } from '../lib/fleet-events.tsx';
import { useSession } from '../lib/session.tsx';
import { useAsync, useSubmit } from '../lib/use-async.ts';
import { TaskTable } from './task-table.tsx';

const FIELDS: { key: keyof Quota; label: string; step?: number }[] = [
  { key: 'maxRunning', label: 'Max running' },
  { key: 'maxQueued', label: 'Max queued' },
  { key: 'tasksPerDay', label: 'Tasks per day' },
  { key: 'monthlyBudgetUsd', label: 'Monthly budget (USD)', step: 10 },
];

/** Admins: the team's limits; an empty field means unlimited. */
function QuotaForm({ team, onSaved }: { team: TeamView; onSaved: () => void }) {
  const { client } = useSession();
  const [quota, setQuota] = useState<Quota>(team.quota);
  const { error, submit, clearError } = useSubmit(async () => {
    await client.teams.setQuota(team.name, quota);
    onSaved();
  });
  return (
    <Card withBorder component="form" onSubmit={submit}>
      <Text fw={600} mb="xs">Quota</Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        {FIELDS.map((f) => (
          <NumberInput
            key={f.key}
            label={f.label}
            placeholder="unlimited"
            min={0}
            step={f.step}
            value={quota[f.key] ?? ''}
            onChange={(v) => setQuota({ ...quota, [f.key]: v === '' ? null : Number(v) })}
          />
        ))}
      </SimpleGrid>
      <ApiErrorAlert error={error} onClose={clearError} />
      <Group justify="flex-end" mt="sm">
        <Button type="submit">Save quota</Button>
      </Group>
    </Card>
  );
}

/** One team: usage bars, its daily chart, its quota (editable by admins) and its tasks. */
export function TeamDetailPage() {
  const { ref = '' } = useParams();
  const { client, isAdmin } = useSession();
  const team = useAsync(() => client.teams.get(ref), [client, ref]);
  const usage = useAsync(() => client.teams.usage(ref), [client, ref]);
  const daily = useAsync(() => client.stats.teams({ days: 30, team: ref }), [client, ref]);
  useReloadOnFleet(usage.reload, (e) => e.type === 'task');
  return (
    <Stack>
      <Title order={2}>Team {ref}</Title>
      <ApiErrorAlert error={team.error ?? usage.error} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>{usage.data && <UsageBars usage={usage.data} />}</Card>
        {isAdmin && team.data && <QuotaForm key={JSON.stringify(team.data.quota)} team={team.data} onSaved={() => { team.reload(); usage.reload(); }} />}
      </SimpleGrid>
      <Card withBorder>
        <Text fw={600} mb="sm">Tasks and spend per day, last 30 days</Text>
        {daily.data && <DailyChart daily={daily.data} team={ref} />}
      </Card>
      <Title order={4}>Tasks</Title>
      <TaskTable query={{ team: ref }} pageSize={15} />
    </Stack>
  );
}
