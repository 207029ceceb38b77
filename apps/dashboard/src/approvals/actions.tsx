import { useState } from 'react';
import { Button, Group, JsonInput, Stack, Switch, Text, Textarea } from '@mantine/core';
import { taskRuleFor, type ApprovalAnswerRequest, type ApprovalDecision, type ApprovalView } from '@switchyard/core';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { useSession } from '../lib/session.tsx';
import { parseEditedInput } from './model.ts';
import { usePendingApprovals } from './store.tsx';

/**
 * Allow once, allow for the rest of the task, or deny with a message; an allow may carry an
 * edited input. Only for tokens that write: the API refuses viewers (403) anyway.
 */
export function ApprovalActions({ approval, onAnswered }: { approval: ApprovalView; onAnswered?: (a: ApprovalView) => void }) {
  const { client } = useSession();
  const pending = usePendingApprovals();
  const [message, setMessage] = useState('');
  const [editing, setEditing] = useState(false);
  const [edited, setEdited] = useState(() => JSON.stringify(approval.input, null, 2));
  const [busy, setBusy] = useState<ApprovalDecision | null>(null);
  const [error, setError] = useState<unknown>(null);
  const parsed = editing ? parseEditedInput(edited, approval.input) : { value: null };
  const answer = async (decision: ApprovalDecision) => {
    const body: ApprovalAnswerRequest =
      decision === 'deny'
        ? { decision, ...(message.trim() ? { message: message.trim() } : {}) }
        : { decision, ...(parsed.value ? { updatedInput: parsed.value } : {}) };
    setBusy(decision);
    setError(null);
    try {
      const answered = await client.answerApproval(approval.id, body);
      pending.put(answered);
      onAnswered?.(answered);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const rule = taskRuleFor(approval.toolName, approval.input);
  return (
    <Stack gap="xs" data-testid="approval-actions">
      <Switch label="Edit the input before allowing" checked={editing} onChange={(e) => setEditing(e.currentTarget.checked)} />
      {editing && (
        <JsonInput
          label="Input to run with"
          autosize
          minRows={4}
          maxRows={20}
          formatOnBlur
          value={edited}
          onChange={setEdited}
          error={parsed.error}
        />
      )}
      <Group gap="xs">
        <Button color="green" loading={busy === 'allow_once'} disabled={!!busy || !!parsed.error} onClick={() => void answer('allow_once')}>
          Allow once
        </Button>
        <Button color="green" variant="light" loading={busy === 'allow_for_task'} disabled={!!busy || !!parsed.error} onClick={() => void answer('allow_for_task')} title={`Allows ${rule} for the rest of this task`}>
          Allow for this task
        </Button>
        <Text size="xs" c="dimmed">“for this task” allows {rule} until the task ends</Text>
      </Group>
      <Textarea
        label="Message to Claude"
        description="Sent with a deny: Claude reads it and carries on."
        autosize
        minRows={1}
        maxLength={4096}
        value={message}
        onChange={(e) => setMessage(e.currentTarget.value)}
      />
      <Group gap="xs">
        <Button color="red" loading={busy === 'deny'} disabled={!!busy} onClick={() => void answer('deny')}>
          Deny
        </Button>
      </Group>
      <ApiErrorAlert error={error} onClose={() => setError(null)} />
    </Stack>
  );
}
