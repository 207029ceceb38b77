import { Anchor, Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { DailyChart } from '../components/daily-chart.tsx';
import { UsageBars } from '../components/usage.tsx';
import { useReloadOnFleet } from '../lib/fleet-events.tsx';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';

/** Every team the token sees: usage against quota as bars, and tasks and spend per day. */
export function TeamsPage() {
  const { client } = useSession();
  const usage = useAsync(async () => Promise.all((await client.teams.list()).map((t) => client.teams.usage(t.name))), [client]);
  const daily = useAsync(() => client.stats.teams({ days: 30 }), [client]);
  useReloadOnFleet(() => {
    usage.reload();
    daily.reload();
  }, (e) => e.type === 'task');
  return (
    <Stack>
      <Title order={2}>Teams</Title>
      <ApiErrorAlert error={usage.error ?? daily.error} />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {(usage.data ?? []).map((u) => (
          <Card withBorder key={u.team}>
            <Anchor component={Link} to={`/teams/${encodeURIComponent(u.team)}`} fw={600} mb="xs">
              {u.team}
            </Anchor>
            <UsageBars usage={u} />
          </Card>
        ))}
      </SimpleGrid>
      <Card withBorder>
        <Text fw={600} mb="sm">Tasks and spend per day, last 30 days (all teams)</Text>
        {daily.data && <DailyChart daily={daily.data} />}
      </Card>
    </Stack>
  );
}
