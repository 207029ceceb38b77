import { Group, Progress, Stack, Text } from '@mantine/core';
import type { TeamUsage } from '@switchyard/core';
import { usd } from '../lib/format.ts';
import { Countdown } from './bits.tsx';

function Bar({ label, current, limit, money }: { label: string; current: number; limit: number | null; money?: boolean }) {
  const fmt = (n: number) => (money ? usd(n) : String(n));
  const pct = limit === null ? 0 : limit === 0 ? 100 : Math.min(100, (current / limit) * 100);
  const color = pct >= 100 ? 'red' : pct >= 80 ? 'orange' : 'blue';
  return (
    <Stack gap={2}>
      <Group justify="space-between">
        <Text size="sm">{label}</Text>
        <Text size="sm" c="dimmed">
          {fmt(current)} / {limit === null ? 'unlimited' : fmt(limit)}
        </Text>
      </Group>
      <Progress value={limit === null ? 0 : pct} color={color} aria-label={`${label}: ${fmt(current)} of ${limit === null ? 'unlimited' : fmt(limit)}`} />
    </Stack>
  );
}

/** A team's usage against each quota limit, as bars. */
export function UsageBars({ usage }: { usage: TeamUsage }) {
  return (
    <Stack gap="xs" data-testid={`usage-${usage.team}`}>
      <Bar label="Running" {...usage.running} />
      <Bar label="Queued" {...usage.queued} />
      <Bar label="Tasks today" {...usage.tasksToday} />
      <Bar label="Spend this month" {...usage.monthSpendUsd} money />
      <Countdown until={usage.rateLimitedUntil} />
    </Stack>
  );
}
