import { useState } from 'react';
import { Badge, Button, Card, Code, Group, List, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { isTerminal, type TaskView, type Todo, type TurnView } from '@switchyard/core';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { StatusBadge } from '../components/bits.tsx';
import { duration, usd } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { useSubmit } from '../lib/use-async.ts';

const TODO_MARK: Record<string, string> = { completed: '☑', in_progress: '◐', pending: '☐' };

export function TodoList({ todos }: { todos: Todo[] }) {
  if (todos.length === 0) return null;
  return (
    <Card withBorder>
      <Text size="sm" fw={600} mb={4}>Todo list</Text>
      <List spacing={2} size="sm" listStyleType="none" data-testid="todos">
        {todos.map((t, i) => (
          <List.Item key={i} c={t.status === 'completed' ? 'dimmed' : undefined}>
            {TODO_MARK[t.status] ?? '·'} {t.status === 'in_progress' && t.activeForm ? t.activeForm : t.content}
          </List.Item>
        ))}
      </List>
    </Card>
  );
}

/** The last lines as claude wrote them; the download has all of them. */
export function RawView({ lines }: { lines: { seq: number; line: string }[] }) {
  const shown = lines.slice(-1000);
  return (
    <Stack gap={4}>
      {lines.length > shown.length && <Text size="xs" c="dimmed">The last {shown.length} of {lines.length} lines; download for all.</Text>}
      <Code block data-testid="raw-output" style={{ maxHeight: 600, overflow: 'auto', whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        {shown.map((l) => `${l.seq}\t${l.line}`).join('\n')}
      </Code>
    </Stack>
  );
}

/** The next turn (`claude --resume`); while a turn runs, it waits in the queue behind it. */
export function FollowUp({ task, onSent }: { task: TaskView; onSent: (t: TaskView) => void }) {
  const { client } = useSession();
  const [prompt, setPrompt] = useState('');
  const { busy, error, submit, clearError } = useSubmit(async () => {
    onSent(await client.tasks.send(task.id, prompt));
    setPrompt('');
  });
  return (
    <Card withBorder component="form" onSubmit={submit}>
      <Stack gap="xs">
        <Textarea
          label="Follow-up"
          description={isTerminal(task.status) ? 'Continues the conversation as the next turn.' : 'Queued as the next turn; it starts when this one ends.'}
          autosize
          minRows={2}
          value={prompt}
          onChange={(e) => setPrompt(e.currentTarget.value)}
          name="follow-up"
        />
        <ApiErrorAlert error={error} onClose={clearError} />
        <Group justify="flex-end">
          <Button type="submit" loading={busy} disabled={!prompt.trim()}>Send</Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** Each turn's outcome and exit code. */
export function TurnsTable({ turns }: { turns: TurnView[] }) {
  return (
    <Stack gap={4}>
      <Title order={4}>Turns</Title>
      <Table.ScrollContainer minWidth={600}>
        <Table verticalSpacing={4} data-testid="turns">
          <Table.Thead>
            <Table.Tr>
              {['#', 'Status', 'Outcome', 'Exit', 'Cost', 'Duration', 'Prompt'].map((h) => <Table.Th key={h}>{h}</Table.Th>)}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {turns.map((t) => (
              <Table.Tr key={t.n}>
                <Table.Td>{t.n}</Table.Td>
                <Table.Td><StatusBadge status={t.status} /></Table.Td>
                <Table.Td>{t.outcome ? <Badge variant="outline" color={t.outcome === 'exited' ? 'gray' : 'orange'}>{t.outcome}</Badge> : '—'}</Table.Td>
                <Table.Td>{t.exitCode ?? '—'}</Table.Td>
                <Table.Td>{usd(t.costUsd)}</Table.Td>
                <Table.Td>{duration(t.durationMs)}</Table.Td>
                <Table.Td maw={320}><Text size="sm" lineClamp={1}>{t.prompt}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
