import { useState } from 'react';
import { Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useParams } from 'react-router-dom';
import { ApprovalPolicyCard } from '../approvals/policy.tsx';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { Countdown } from '../components/bits.tsx';
import { LoadChart } from '../components/load-chart.tsx';
import { since } from '../lib/format.ts';
import { useReloadOnFleet } from '../lib/fleet-events.tsx';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { TaskCreate } from './task-create.tsx';
import { TaskTable } from './task-table.tsx';
import { AgentState, AwaitingPeople } from './workspace-table.tsx';

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Group justify="space-between" wrap="nowrap">
      <Text size="sm" c="dimmed">{label}</Text>
      <Text size="sm" component="div">{children}</Text>
    </Group>
  );
}

/** One workspace: its agent and settings, its load over the last hour, its tasks. */
export function WorkspacePage() {
  const { ref = '' } = useParams();
  const { client, canWrite } = useSession();
  const ws = useAsync(() => client.workspaces.get(ref), [client, ref]);
  const stats = useAsync(() => client.stats.workspaces({ minutes: 60, workspace: ref }), [client, ref]);
  const [creating, setCreating] = useState(false);
  useReloadOnFleet(() => {
    ws.reload();
    stats.reload();
  }, (e) => e.type !== 'task' || e.data.workspace === ref);
  const w = ws.data;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Workspace {ref}</Title>
        {canWrite && <Button onClick={() => setCreating(true)}>New task here</Button>}
      </Group>
      <ApiErrorAlert error={ws.error} />
      {w && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Card withBorder>
            <Stack gap={6}>
              <Row label="Agent"><AgentState ws={w} /></Row>
              <Row label="Host">{w.agent ? `${w.agent.hostname} · agent ${w.agent.agentVersion} · claude ${w.agent.claudeVersion ?? '?'}` : '—'}</Row>
              <Row label="Last seen">{since(w.agent?.lastSeenAt)}</Row>
              <Row label="Slots used / limit">{w.running} / {w.maxConcurrency}</Row>
              <Row label="Slots waiting on people"><AwaitingPeople n={w.slotsAwaitingApproval ?? 0} />{!w.slotsAwaitingApproval && 'none'}</Row>
              <Row label="Queued">{w.queued}</Row>
              <Row label="Team · pool">{w.team} · {w.pool ? 'in pool' : 'not in pool'}</Row>
              <Row label="Paused">{w.paused ? 'yes' : 'no'}</Row>
              <Row label="Workdir roots">{w.workdirRoots.join(', ') || '—'}</Row>
              <Row label="Rate limit"><Countdown until={w.rateLimitedUntil} /></Row>
            </Stack>
          </Card>
          <Card withBorder>
            <Text fw={600} mb="xs">Load, last hour</Text>
            {stats.data && <LoadChart series={stats.data} workspace={ref} height={200} />}
          </Card>
        </SimpleGrid>
      )}
      {w && <ApprovalPolicyCard ws={w} onSaved={ws.reload} />}
      <Title order={4}>Tasks</Title>
      <TaskTable query={{ workspace: ref }} pageSize={15} />
      {creating && <TaskCreate workspace={ref} onClose={() => setCreating(false)} />}
    </Stack>
  );
}
