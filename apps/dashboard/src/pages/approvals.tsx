import { useState } from 'react';
import { Anchor, Badge, Drawer, Group, SegmentedControl, Select, Stack, Table, Text, Title } from '@mantine/core';
import type { ApprovalView } from '@switchyard/core';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApprovalCard, ApprovalStatusBadge, ExpiresIn } from '../approvals/card.tsx';
import { inputSummary, outcome } from '../approvals/model.ts';
import { useLiveApprovals, usePendingApprovals } from '../approvals/store.tsx';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { useNow } from '../components/bits.tsx';
import { useFleetEvents } from '../lib/fleet-events.tsx';
import { since } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';

type View = 'pending' | 'answered';

function ApprovalTable({ approvals, view }: { approvals: ApprovalView[]; view: View }) {
  const navigate = useNavigate();
  const now = useNow();
  // What is asked comes first: on a phone the table scrolls sideways.
  const heads = ['Tool', 'Input', 'Task', 'Workspace', 'Asked', view === 'pending' ? 'Time left' : 'Answer'];
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table striped highlightOnHover verticalSpacing="xs" data-testid="approvals">
        <Table.Thead>
          <Table.Tr>{heads.map((h) => <Table.Th key={h}>{h}</Table.Th>)}</Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {approvals.map((a) => (
            <Table.Tr key={a.id} data-approval={a.id} style={{ cursor: 'pointer' }} onClick={() => navigate(`/approvals/${encodeURIComponent(a.id)}`)}>
              <Table.Td><Badge variant="outline" color="gray" tt="none">{a.toolName}</Badge></Table.Td>
              <Table.Td maw={360}><Text size="sm" ff="monospace" lineClamp={1}>{inputSummary(a.toolName, a.input)}</Text></Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/tasks/${a.taskId}`} onClick={(e) => e.stopPropagation()} ff="monospace" size="sm">{a.taskId}</Anchor>
              </Table.Td>
              <Table.Td>{a.workspace ?? '(pool)'}</Table.Td>
              <Table.Td>{since(a.createdAt, now)}</Table.Td>
              <Table.Td>
                {view === 'pending' ? <ExpiresIn at={a.expiresAt} /> : (
                  <Group gap={4} wrap="nowrap"><ApprovalStatusBadge status={a.status} /><Text size="xs" lineClamp={1}>{outcome(a)}</Text></Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Answered({ workspace }: { workspace: string | null }) {
  const live = useLiveApprovals(workspace ? { workspace } : {});
  const answered = live.list.filter((a) => a.status !== 'pending').reverse();
  return (
    <>
      <ApiErrorAlert error={live.error} />
      {live.loaded && answered.length === 0 ? <Text c="dimmed">No answered approval yet.</Text> : <ApprovalTable approvals={answered} view="answered" />}
    </>
  );
}

/** One approval in full, live: answering it (or someone else doing so) shows the outcome in place. */
function ApprovalDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const { client } = useSession();
  const fetched = useAsync(() => client.approval(id), [client, id]);
  const [latest, setLatest] = useState<ApprovalView | null>(null);
  useFleetEvents((e) => e.type === 'approval' && e.data.id === id && setLatest(e.data));
  const a = latest?.id === id ? latest : fetched.data;
  return (
    <Drawer opened onClose={onClose} position="right" size="xl" title={a ? `${a.toolName} in ${a.taskId}` : 'Approval'}>
      <Stack>
        <ApiErrorAlert error={fetched.error} />
        {a && (
          <>
            <Text size="sm">
              Task <Anchor component={Link} to={`/tasks/${a.taskId}`}>{a.taskId}</Anchor> · {a.workspace ?? '(pool)'} · team {a.team}
            </Text>
            <ApprovalCard approval={a} onAnswered={setLatest} />
          </>
        )}
      </Stack>
    </Drawer>
  );
}

/** Tool calls waiting on a person, live from /v1/events; a row opens the call in full with its actions. */
export function ApprovalsPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const { client, canWrite } = useSession();
  const pending = usePendingApprovals();
  const [view, setView] = useState<View>('pending');
  const [workspace, setWorkspace] = useState<string | null>(null);
  const workspaces = useAsync(() => client.workspaces.list(), [client]);
  const shown = pending.list.filter((a) => !workspace || a.workspace === workspace);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Approvals</Title>
        <Group gap="sm">
          <Select
            aria-label="Workspace"
            placeholder="All workspaces"
            clearable
            data={(workspaces.data ?? []).map((w) => w.name)}
            value={workspace}
            onChange={setWorkspace}
            w={200}
          />
          <SegmentedControl
            aria-label="Which approvals"
            value={view}
            onChange={(v) => setView(v as View)}
            data={[{ value: 'pending', label: `Pending (${pending.list.length})` }, { value: 'answered', label: 'Answered' }]}
          />
        </Group>
      </Group>
      {!canWrite && <Text size="sm" c="dimmed">Your token reads only: it may not answer.</Text>}
      {view === 'pending' ? (
        <>
          <ApiErrorAlert error={pending.error} />
          {pending.loaded && shown.length === 0 ? (
            <Text c="dimmed" data-testid="no-approvals">Nothing waits on a person. Tool calls claude asks about appear here as they come.</Text>
          ) : (
            <ApprovalTable approvals={shown} view="pending" />
          )}
        </>
      ) : (
        <Answered workspace={workspace} />
      )}
      {id && <ApprovalDrawer id={id} onClose={() => navigate('/approvals')} />}
    </Stack>
  );
}
