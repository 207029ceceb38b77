import { useEffect, useState } from 'react';
import { Badge, Button, Code, CopyButton, Group } from '@mantine/core';
import { STATUS_COLOR, span } from '../lib/format.ts';

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={STATUS_COLOR[status] ?? 'gray'} variant="light" data-testid="status">
      {status.replace('_', ' ')}
    </Badge>
  );
}

/** Ticks once a second while mounted. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** "in 4 m 10 s" until `iso`, then nothing. */
export function Countdown({ until }: { until: string | null }) {
  const now = useNow();
  if (!until) return null;
  const left = Date.parse(until) - now;
  if (left <= 0) return null;
  return (
    <Badge color="yellow" variant="light" title={new Date(until).toLocaleString()}>
      rate limited · {span(left)}
    </Badge>
  );
}

/** A value in monospace with a button that copies it. */
export function CopyField({ value, label = 'Copy' }: { value: string; label?: string }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Code block style={{ flex: 1, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button variant="light" size="xs" onClick={copy} aria-label={label} color={copied ? 'teal' : undefined}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}
