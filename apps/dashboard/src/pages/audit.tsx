import { useState } from 'react';
import { Button, Code, Group, Stack, Table, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { when } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';

/** Who did what, newest first (admins). */
export function AuditPage() {
  const { client } = useSession();
  const [action, setAction] = useState('');
  const [debounced] = useDebouncedValue(action, 300);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const page = useAsync(() => client.audit.list({ limit: 50, cursor, action: debounced || undefined }), [client, cursor, debounced]);
  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      <TextInput label="Action" placeholder="e.g. task.created" value={action} onChange={(e) => { setAction(e.currentTarget.value); setCursors([undefined]); }} w={260} />
      <ApiErrorAlert error={page.error} />
      <Table.ScrollContainer minWidth={760}>
        <Table striped verticalSpacing="xs" data-testid="audit">
          <Table.Thead>
            <Table.Tr>
              {['When', 'Actor', 'Action', 'Target', 'Details'].map((h) => <Table.Th key={h}>{h}</Table.Th>)}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(page.data?.entries ?? []).map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>{when(e.ts)}</Table.Td>
                <Table.Td>{e.actor ?? '—'}</Table.Td>
                <Table.Td>{e.action}</Table.Td>
                <Table.Td>{e.targetType} {e.targetId}</Table.Td>
                <Table.Td><Code>{JSON.stringify(e.details).slice(0, 200)}</Code></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="flex-end">
        <Button variant="default" size="xs" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>Newer</Button>
        <Button variant="default" size="xs" disabled={!page.data?.nextCursor} onClick={() => setCursors((c) => [...c, page.data!.nextCursor!])}>Older</Button>
      </Group>
    </Stack>
  );
}
