import { useState } from 'react';
import { Anchor, Badge, Group, NumberInput, Switch, Table, Text, Tooltip } from '@mantine/core';
import type { WorkspaceView } from '@switchyard/core';
import { Link } from 'react-router-dom';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { Countdown } from '../components/bits.tsx';
import { since } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';

/** Online; offline since when; or not ready and why (from the agent's readiness report). */
export function AgentState({ ws }: { ws: WorkspaceView }) {
  const a = ws.agent;
  if (!a) return <Badge color="gray" variant="light">no agent yet</Badge>;
  if (!a.online) return <Badge color="red" variant="light" title={a.lastSeenAt}>offline since {since(a.lastSeenAt)}</Badge>;
  if (ws.problems.length > 0 || a.problems.length > 0) {
    const why = [...new Set([...a.problems, ...ws.problems])].join('; ');
    return (
      <Tooltip label={why} multiline w={300}>
        <Badge color="orange" variant="light" data-testid="not-ready">not ready: {why}</Badge>
      </Tooltip>
    );
  }
  return (
    <Group gap={4} wrap="nowrap">
      <Badge color="green" variant="light">online</Badge>
      {a.simulated && <Badge color="grape" variant="outline" title="claude-sim stands in for claude">sim</Badge>}
    </Group>
  );
}

/** Slots held by tasks whose tool call waits on a person, when any are. */
export function AwaitingPeople({ n }: { n: number }) {
  if (n <= 0) return null;
  return (
    <Tooltip label="Running tasks holding a slot while a tool call waits for an approval">
      <Badge color="orange" variant="light" data-testid="slots-awaiting-approval">
        {n} waiting on people
      </Badge>
    </Tooltip>
  );
}

/** The fleet's workspaces; admins pause/resume and change maxConcurrency in place. */
export function WorkspaceTable({ workspaces, onChanged }: { workspaces: WorkspaceView[]; onChanged: () => void }) {
  const { client, isAdmin } = useSession();
  const [error, setError] = useState<unknown>(null);
  const patch = async (ws: WorkspaceView, p: { paused?: boolean; maxConcurrency?: number }) => {
    setError(null);
    try {
      await client.workspaces.update(ws.name, p);
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <ApiErrorAlert error={error} onClose={() => setError(null)} />
      <Table.ScrollContainer minWidth={860}>
        <Table striped highlightOnHover verticalSpacing="xs" data-testid="workspaces">
          <Table.Thead>
            <Table.Tr>
              {['Workspace', 'Team', 'Agent', 'Slots used / limit', 'Queued', 'Rate limit', 'Pool', 'Paused'].map((h) => (
                <Table.Th key={h}>{h}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {workspaces.map((ws) => (
              <Table.Tr key={ws.id} data-workspace={ws.name}>
                <Table.Td>
                  <Anchor component={Link} to={`/workspaces/${encodeURIComponent(ws.name)}`}>{ws.name}</Anchor>
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/teams/${encodeURIComponent(ws.team)}`}>{ws.team}</Anchor>
                </Table.Td>
                <Table.Td><AgentState ws={ws} /></Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm">{ws.running} /</Text>
                    {isAdmin ? (
                      <NumberInput
                        aria-label={`maxConcurrency of ${ws.name}`}
                        size="xs"
                        w={70}
                        min={1}
                        max={256}
                        defaultValue={ws.maxConcurrency}
                        key={ws.maxConcurrency}
                        onBlur={(e) => {
                          const n = Number(e.currentTarget.value);
                          if (Number.isInteger(n) && n >= 1 && n !== ws.maxConcurrency) void patch(ws, { maxConcurrency: n });
                        }}
                        onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
                      />
                    ) : (
                      <Text size="sm">{ws.maxConcurrency}</Text>
                    )}
                    <AwaitingPeople n={ws.slotsAwaitingApproval ?? 0} />
                  </Group>
                </Table.Td>
                <Table.Td>{ws.queued}</Table.Td>
                <Table.Td><Countdown until={ws.rateLimitedUntil} /></Table.Td>
                <Table.Td>{ws.pool ? 'yes' : 'no'}</Table.Td>
                <Table.Td>
                  {isAdmin ? (
                    <Switch aria-label={`paused ${ws.name}`} checked={ws.paused} onChange={(e) => void patch(ws, { paused: e.currentTarget.checked })} />
                  ) : ws.paused ? 'paused' : 'no'}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}
