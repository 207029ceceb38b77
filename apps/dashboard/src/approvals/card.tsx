import { Badge, Blockquote, Card, Code, Group, Stack, Text } from '@mantine/core';
import type { ApprovalView } from '@switchyard/core';
import { useNow } from '../components/bits.tsx';
import { since, span, when } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { ApprovalActions } from './actions.tsx';
import { ApprovalInput } from './input-view.tsx';
import { APPROVAL_COLOR, outcome } from './model.ts';

/** Time left before the policy's timeout denies the call, ticking. */
export function ExpiresIn({ at }: { at: string }) {
  const now = useNow();
  const left = Date.parse(at) - now;
  return (
    <Badge color={left < 60_000 ? 'red' : 'yellow'} variant="light" title={new Date(at).toLocaleString()} data-testid="expires-in">
      {left > 0 ? `expires in ${span(left)}` : 'expiring'}
    </Badge>
  );
}

export function ApprovalStatusBadge({ status }: { status: string }) {
  return (
    <Badge color={APPROVAL_COLOR[status] ?? 'gray'} variant="light" data-testid="approval-status">
      {status === 'pending' ? 'waiting on approval' : status}
    </Badge>
  );
}

/** Who answered, when, and what they said (the deny message, or why it expired or closed). */
export function ApprovalOutcome({ approval: a }: { approval: ApprovalView }) {
  return (
    <Stack gap={4} data-testid="approval-outcome">
      <Text size="sm">
        {outcome(a)}
        {a.answeredAt ? `, ${when(a.answeredAt)}` : ''}
      </Text>
      {a.message && (
        <Blockquote color={a.status === 'denied' ? 'red' : 'gray'} p="xs" data-testid="approval-message">
          {a.message}
        </Blockquote>
      )}
      {a.updatedInput && (
        <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {JSON.stringify(a.updatedInput, null, 2)}
        </Code>
      )}
    </Stack>
  );
}

/**
 * One approval: the tool and its full input, then the actions while it waits (for tokens that
 * write; viewers read only), or how it was answered. A pending one stands out.
 */
export function ApprovalCard({ approval: a, onAnswered }: { approval: ApprovalView; onAnswered?: (a: ApprovalView) => void }) {
  const { canWrite } = useSession();
  const now = useNow();
  const pending = a.status === 'pending';
  return (
    <Card
      withBorder
      padding="sm"
      data-testid="approval"
      data-approval={a.id}
      data-status={a.status}
      bg={pending ? 'var(--mantine-color-orange-light)' : undefined}
      style={pending ? { borderColor: 'var(--mantine-color-orange-filled)', borderWidth: 2 } : undefined}
    >
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Group gap="xs">
            <ApprovalStatusBadge status={a.status} />
            <Badge variant="outline" color="gray" tt="none">{a.toolName}</Badge>
            <Text size="xs" c="dimmed">turn {a.turn} · asked {since(a.createdAt, now)}</Text>
          </Group>
          {pending && <ExpiresIn at={a.expiresAt} />}
        </Group>
        <ApprovalInput toolName={a.toolName} input={a.input} />
        {!pending && <ApprovalOutcome approval={a} />}
        {pending && (canWrite ? <ApprovalActions approval={a} onAnswered={onAnswered} /> : <Text size="sm" c="dimmed">Read-only: your token may not answer.</Text>)}
      </Stack>
    </Card>
  );
}

/** An answered approval, small, under the tool call it was about. */
export function ApprovalNote({ approval: a }: { approval: ApprovalView }) {
  return (
    <Card withBorder padding="xs" data-testid="approval" data-approval={a.id} data-status={a.status}>
      <Group gap="xs" align="flex-start" wrap="nowrap">
        <ApprovalStatusBadge status={a.status} />
        <Badge variant="outline" color="gray" tt="none">{a.toolName}</Badge>
        <ApprovalOutcome approval={a} />
      </Group>
    </Card>
  );
}
