import { useState } from 'react';
import { Button, Card, Group, Select, Stack, Text, Title } from '@mantine/core';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { CopyField } from '../components/bits.tsx';
import { LoadChart } from '../components/load-chart.tsx';
import { useReloadOnFleet } from '../lib/fleet-events.tsx';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { OnboardWorkspace } from './onboard.tsx';
import { WorkspaceTable } from './workspace-table.tsx';

/** Every workspace with its agent and load, live from /v1/events; the last hour's load as a chart. */
export function FleetPage() {
  const { client, isAdmin } = useSession();
  const list = useAsync(() => client.workspaces.list(), [client]);
  const stats = useAsync(() => client.stats.workspaces({ minutes: 60 }), [client]);
  const [chartWs, setChartWs] = useState<string | null>(null);
  const [onboarding, setOnboarding] = useState(false);
  useReloadOnFleet(() => {
    list.reload();
    stats.reload();
  });
  const workspaces = list.data ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Fleet</Title>
        {isAdmin && <Button onClick={() => setOnboarding(true)}>Add workspace</Button>}
      </Group>
      <ApiErrorAlert error={list.error} />
      {list.data && workspaces.length === 0 && <EmptyFleet isAdmin={isAdmin} onAdd={() => setOnboarding(true)} />}
      {workspaces.length > 0 && <WorkspaceTable workspaces={workspaces} onChanged={list.reload} />}
      <Card withBorder>
        <Group justify="space-between" mb="sm">
          <Text fw={600}>Queue depth and running tasks, last hour</Text>
          <Select
            aria-label="Workspace of the chart"
            placeholder="All workspaces"
            clearable
            data={workspaces.map((w) => w.name)}
            value={chartWs}
            onChange={setChartWs}
            w={220}
          />
        </Group>
        {stats.data && <LoadChart series={stats.data} workspace={chartWs ?? undefined} />}
      </Card>
      <OnboardWorkspace opened={onboarding} onClose={() => setOnboarding(false)} onCreated={list.reload} />
    </Stack>
  );
}

function EmptyFleet({ isAdmin, onAdd }: { isAdmin: boolean; onAdd: () => void }) {
  return (
    <Card withBorder>
      <Stack>
        <Text fw={600}>No workspace yet</Text>
        <Text size="sm">
          A workspace is one developer pod running the Switchyard agent. {isAdmin ? 'Add one (its agent token is shown once), then start its agent in the pod:' : 'Ask an admin to add one and issue its agent token; its agent starts with:'}
        </Text>
        <CopyField value={`apps/agent/bin/switchyard-agent.js --url ${window.location.origin} --token-file ~/.switchyard/agent-token`} />
        {isAdmin && (
          <Group>
            <Button onClick={onAdd}>Add the first workspace</Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}
