import { useState } from 'react';
import { Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { useSessionState } from '../lib/session.tsx';
import { useSubmit } from '../lib/use-async.ts';

/** A token in, checked against `GET /v1/me`; kept for this tab only. */
export function SignInPage() {
  const { signIn } = useSessionState();
  const [token, setToken] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    await signIn(token.trim());
  });
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" radius="md" w={420} maw="100%" component="form" onSubmit={submit}>
        <Stack>
          <Title order={2}>Switchyard</Title>
          <Text size="sm" c="dimmed">
            Sign in with a user token (<code>syu_…</code>). Under <code>npm start</code> the admin token is in{' '}
            <code>.switchyard/admin-token</code>. It is kept in this tab’s session storage only.
          </Text>
          <PasswordInput label="Token" value={token} onChange={(e) => setToken(e.currentTarget.value)} required autoFocus name="token" />
          <ApiErrorAlert error={error} />
          <Button type="submit" loading={busy} disabled={!token.trim()}>
            Sign in
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}
