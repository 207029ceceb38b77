import type { ReactNode } from 'react';
import { AppShell, Badge, Burger, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, useLocation } from 'react-router-dom';
import { usePendingApprovals } from '../approvals/store.tsx';
import { useFleetEvents } from '../lib/fleet-events.tsx';
import { useSession } from '../lib/session.tsx';

const NAV = [
  { to: '/fleet', label: 'Fleet' },
  { to: '/tasks', label: 'Tasks' },
  { to: '/approvals', label: 'Approvals', count: true },
  { to: '/teams', label: 'Teams' },
  { to: '/tokens', label: 'Tokens' },
  { to: '/audit', label: 'Audit', admin: true },
];

/** Header with who is signed in and the live-stream state; navigation in a sidebar (a drawer on phones). */
export function Shell({ children }: { children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const { me, isAdmin, signOut } = useSession();
  const live = useFleetEvents(() => undefined);
  const { pathname } = useLocation();
  const waiting = usePendingApprovals().list.length;
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Title order={3}>Switchyard</Title>
            <Badge color={live ? 'green' : 'gray'} variant="dot" data-testid="live">
              {live ? 'live' : 'connecting'}
            </Badge>
            {waiting > 0 && (
              <Badge component={Link} to="/approvals" color="orange" circle hiddenFrom="sm" style={{ cursor: 'pointer', flexShrink: 0 }} aria-label={`${waiting} waiting on approval`}>
                {waiting}
              </Badge>
            )}
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" visibleFrom="sm" data-testid="whoami">
              {me.name} · {me.role}
              {me.team ? ` · ${me.team}` : ''}
            </Text>
            <Button variant="subtle" size="xs" onClick={signOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Pages">
        <Stack gap={2}>
          {NAV.filter((n) => !n.admin || isAdmin).map((n) => (
            <NavLink
              key={n.to}
              component={Link}
              to={n.to}
              label={n.label}
              active={pathname.startsWith(n.to)}
              onClick={close}
              rightSection={n.count && waiting > 0 ? <Badge size="sm" color="orange" circle data-testid="approvals-count" aria-label={`${waiting} waiting`}>{waiting}</Badge> : undefined}
            />
          ))}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
