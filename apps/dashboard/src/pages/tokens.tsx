import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Card, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import type { TokenCreated } from '@switchyard/client';
import { ROLES, type Role } from '@switchyard/core';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { CopyField } from '../components/bits.tsx';
import { since } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { useAsync, useSubmit } from '../lib/use-async.ts';

function CreateToken({ onCreated }: { onCreated: (t: TokenCreated) => void }) {
  const { client, isAdmin, me } = useSession();
  const teams = useAsync(() => client.teams.list(), [client]);
  const [f, setF] = useState<{ name: string; role: Role; team: string | null; defaultWorkspace: string }>({ name: '', role: 'member', team: me.team, defaultWorkspace: '' });
  // Members and viewers belong to a team: start from the first one an admin may pick.
  const firstTeam = teams.data?.[0]?.name;
  useEffect(() => {
    if (firstTeam) setF((cur) => (cur.team ? cur : { ...cur, team: firstTeam }));
  }, [firstTeam]);
  const { error, submit, clearError } = useSubmit(async () => {
    onCreated(await client.tokens.create({ name: f.name, role: f.role, ...(f.team ? { team: f.team } : {}), ...(f.defaultWorkspace ? { defaultWorkspace: f.defaultWorkspace } : {}) }));
    setF({ ...f, name: '' });
  });
  return (
    <Card withBorder component="form" onSubmit={submit}>
      <Text fw={600} mb="xs">New token</Text>
      <Group align="flex-end" gap="sm">
        <TextInput label="Name" required value={f.name} onChange={(e) => setF({ ...f, name: e.currentTarget.value })} w={200} />
        <Select label="Role" data={isAdmin ? [...ROLES] : ['member', 'viewer']} value={f.role} onChange={(v) => setF({ ...f, role: (v ?? 'member') as Role })} w={130} />
        <Select label="Team" data={(teams.data ?? []).map((t) => t.name)} value={f.team} onChange={(v) => setF({ ...f, team: v })} clearable={isAdmin} disabled={!isAdmin} w={160} />
        <TextInput label="Default workspace" value={f.defaultWorkspace} onChange={(e) => setF({ ...f, defaultWorkspace: e.currentTarget.value })} w={180} />
        <Button type="submit">Create</Button>
      </Group>
      <ApiErrorAlert error={error} onClose={clearError} />
    </Card>
  );
}

/** User tokens: create (the secret shown once, with a copy button), list, revoke. */
export function TokensPage() {
  const { client, canWrite, me } = useSession();
  const list = useAsync(() => client.tokens.list(), [client]);
  const [created, setCreated] = useState<TokenCreated | null>(null);
  const [error, setError] = useState<unknown>(null);
  const revoke = async (id: string) => {
    setError(null);
    try {
      await client.tokens.revoke(id);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Stack>
      <Title order={2}>Tokens</Title>
      {canWrite && <CreateToken onCreated={(t) => { setCreated(t); list.reload(); }} />}
      {created && (
        <Alert color="green" title={`Token ${created.name} created`} withCloseButton onClose={() => setCreated(null)} data-testid="token-created">
          <Text size="sm" mb="xs">Copy it now: it is shown this once and stored only as a hash.</Text>
          <CopyField value={created.token} label="Copy token" />
        </Alert>
      )}
      <ApiErrorAlert error={list.error ?? error} onClose={() => setError(null)} />
      <Table.ScrollContainer minWidth={760}>
        <Table striped verticalSpacing="xs" data-testid="token-list">
          <Table.Thead>
            <Table.Tr>
              {['Name', 'Kind · role', 'Team / workspace', 'Prefix', 'Created', 'Last used', ''].map((h) => <Table.Th key={h}>{h}</Table.Th>)}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(list.data ?? []).map((t) => (
              <Table.Tr key={t.id} c={t.revokedAt ? 'dimmed' : undefined}>
                <Table.Td>{t.name}{t.id === me.id && <Badge ml={6} size="xs">you</Badge>}</Table.Td>
                <Table.Td>{t.kind} · {t.role}</Table.Td>
                <Table.Td>{t.workspace ?? t.team ?? 'all'}</Table.Td>
                <Table.Td><code>{t.prefix}…</code></Table.Td>
                <Table.Td>{since(t.createdAt)}</Table.Td>
                <Table.Td>{since(t.lastUsedAt)}</Table.Td>
                <Table.Td>
                  {t.revokedAt ? <Badge color="gray">revoked</Badge> : canWrite && t.id !== me.id && (
                    <Button size="compact-xs" color="red" variant="light" onClick={() => void revoke(t.id)}>Revoke</Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
