import { useState } from 'react';
import { Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Switch, Text, Title } from '@mantine/core';
import { isKillable, isTerminal } from '@switchyard/core';
import { Link, useParams } from 'react-router-dom';
import { ApprovalCard } from '../approvals/card.tsx';
import { useLiveApprovals } from '../approvals/store.tsx';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { Countdown, CopyField, StatusBadge } from '../components/bits.tsx';
import { duration, tokens, usd, when } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { FollowUp, RawView, TodoList, TurnsTable } from './task-parts.tsx';
import { TranscriptView } from './transcript.tsx';
import { useTaskStream, type StreamState } from './use-task-stream.ts';

const STATE_COLOR: Record<StreamState, string> = { connecting: 'gray', live: 'green', reconnecting: 'orange', ended: 'blue' };

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Card withBorder padding="xs">
      <Text size="xs" c="dimmed">{label}</Text>
      <Text fw={600} data-testid={`stat-${label.toLowerCase()}`}>{value}</Text>
    </Card>
  );
}

/** One task: its transcript streaming live, its numbers and turns, follow-up, kill, attach, raw and download. */
export function TaskDetailPage() {
  const { id = '' } = useParams();
  const { client, canWrite } = useSession();
  const { task, error, state, transcript, restart, setTask } = useTaskStream(client, id);
  const [raw, setRaw] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const approvals = useLiveApprovals({ task: id });
  if (!task) return error ? <ApiErrorAlert error={error} /> : <Text c="dimmed">Loading…</Text>;
  const kill = async () => {
    setActionError(null);
    try {
      setTask(await client.tasks.kill(task.id));
    } catch (err) {
      setActionError(err);
    }
  };
  const download = async () => {
    const text = await client.tasks.output(task.id);
    const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: `${task.id}.jsonl` });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const u = task.usage;
  // Live from /v1/events once loaded; the task's own count until then.
  const waiting = approvals.loaded ? approvals.list.filter((a) => a.status === 'pending').length : (task.pendingApprovals ?? 0);
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={2} style={{ wordBreak: 'break-all' }}>{task.id}</Title>
          <Group gap="xs">
            <StatusBadge status={task.status} />
            {waiting > 0 && !isTerminal(task.status) && <Badge color="orange" data-testid="waiting-on-approval">waiting on approval{waiting > 1 ? ` (${waiting})` : ''}</Badge>}
            <Badge variant="dot" color={STATE_COLOR[state]} data-testid="stream-state">{state}</Badge>
            <Countdown until={task.rateLimitedUntil} />
            <Text size="sm">
              {task.workspace ? <Anchor component={Link} to={`/workspaces/${task.workspace}`}>{task.workspace}</Anchor> : '(pool)'} ·{' '}
              <Anchor component={Link} to={`/teams/${task.team}`}>{task.team}</Anchor> · {task.workdir}
            </Text>
          </Group>
        </Stack>
        <Group gap="xs">
          <Button variant="default" size="xs" onClick={() => void download()}>Download output</Button>
          {canWrite && isKillable(task.status) && <Button color="red" size="xs" onClick={() => void kill()}>Kill</Button>}
        </Group>
      </Group>
      <ApiErrorAlert error={actionError ?? error} onClose={() => setActionError(null)} />
      {task.error && <ApiErrorAlert error={new Error(`${task.error.code}: ${task.error.message}`)} />}
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
        <Stat label="Cost" value={usd(task.costUsd)} />
        <Stat label="Tokens" value={`${tokens(u.inputTokens + u.cacheReadInputTokens + u.cacheCreationInputTokens)} in · ${tokens(u.outputTokens)} out`} />
        <Stat label="Turns" value={`${task.turns.length} (${task.numTurns} model calls)`} />
        <Stat label="Duration" value={duration(task.durationMs)} />
        <Stat label="Exit" value={task.exitCode === null ? '—' : String(task.exitCode)} />
        <Stat label="Created" value={when(task.createdAt)} />
      </SimpleGrid>
      <Card withBorder>
        <Text size="sm" fw={600} mb={4}>Attach to its tmux pane, on the workspace's machine</Text>
        <CopyField value={task.attach.command} label="Copy attach command" />
      </Card>
      <TodoList todos={task.todos} />
      <Group justify="space-between">
        <Title order={4}>Transcript</Title>
        <Switch label="Raw stream-json" checked={raw} onChange={(e) => setRaw(e.currentTarget.checked)} />
      </Group>
      {raw ? <RawView lines={transcript.raw} /> : <TranscriptView items={transcript.items} turns={task.turns} approvals={approvals.list} onAnswered={approvals.put} />}
      {raw && approvals.list.filter((a) => a.status === 'pending').map((a) => <ApprovalCard key={a.id} approval={a} onAnswered={approvals.put} />)}
      {canWrite && <FollowUp task={task} onSent={restart} />}
      <TurnsTable turns={task.turns} />
    </Stack>
  );
}
