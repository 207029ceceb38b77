import { useState } from 'react';
import { Badge, Button, Card, Group, NumberInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { DEFAULT_APPROVAL_POLICY, type ApprovalPolicy, type WorkspaceView } from '@switchyard/core';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { span } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { useSubmit } from '../lib/use-async.ts';

type Effect = ApprovalPolicy['default'];
const EFFECTS: Effect[] = ['allow', 'deny', 'ask'];
const EFFECT_COLOR: Record<Effect, string> = { allow: 'green', deny: 'red', ask: 'orange' };

function PolicyView({ policy }: { policy: ApprovalPolicy }) {
  return (
    <Stack gap="xs">
      {policy.rules.length === 0 ? (
        <Text size="sm" c="dimmed">No rules.</Text>
      ) : (
        <Stack gap={4} data-testid="policy-rules">
          {policy.rules.map((r, i) => (
            <Group key={i} gap="sm" wrap="nowrap">
              <Text size="sm" c="dimmed" w={24}>{i + 1}</Text>
              <Badge color={EFFECT_COLOR[r.effect]} variant="light" w={64}>{r.effect}</Badge>
              <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>{r.rule}</Text>
            </Group>
          ))}
        </Stack>
      )}
      <Text size="sm" component="div" data-testid="policy-summary">
        Otherwise <Badge color={EFFECT_COLOR[policy.default]} variant="light">{policy.default}</Badge> · a person has {span(policy.timeoutSec * 1000)} to answer, then the call is denied
      </Text>
    </Stack>
  );
}

type Rule = ApprovalPolicy['rules'][number];

function RuleRow({ rule, index, count, onChange, onMove, onRemove }: { rule: Rule; index: number; count: number; onChange: (r: Rule) => void; onMove: (to: number) => void; onRemove: () => void }) {
  return (
    <Group gap="xs" wrap="nowrap" data-testid="policy-rule">
      <Select aria-label={`Effect of rule ${index + 1}`} data={EFFECTS} value={rule.effect} onChange={(v) => onChange({ ...rule, effect: (v ?? 'ask') as Effect })} w={100} allowDeselect={false} />
      <TextInput aria-label={`Rule ${index + 1}`} placeholder="Bash(git log:*)" value={rule.rule} onChange={(e) => onChange({ ...rule, rule: e.currentTarget.value })} style={{ flex: 1 }} ff="monospace" />
      <Button variant="default" size="xs" aria-label={`Move rule ${index + 1} up`} disabled={index === 0} onClick={() => onMove(index - 1)}>↑</Button>
      <Button variant="default" size="xs" aria-label={`Move rule ${index + 1} down`} disabled={index === count - 1} onClick={() => onMove(index + 1)}>↓</Button>
      <Button variant="subtle" color="red" size="xs" onClick={onRemove}>Remove</Button>
    </Group>
  );
}

function PolicyForm({ ws, onSaved, onCancel }: { ws: WorkspaceView; onSaved: (w: WorkspaceView) => void; onCancel: () => void }) {
  const { client } = useSession();
  const [draft, setDraft] = useState<ApprovalPolicy>(ws.approvalPolicy ?? DEFAULT_APPROVAL_POLICY);
  const { busy, error, submit, clearError } = useSubmit(async () => onSaved(await client.workspaces.update(ws.name, { approvalPolicy: draft })));
  const rules = draft.rules;
  const setRules = (next: Rule[]) => setDraft({ ...draft, rules: next });
  const move = (from: number, to: number) => {
    const next = [...rules];
    const [r] = next.splice(from, 1);
    next.splice(to, 0, r!);
    setRules(next);
  };
  return (
    <Stack gap="xs" component="form" onSubmit={submit}>
      <Text size="xs" c="dimmed">First matching rule wins. Claude Code's rule syntax: Bash(git log:*), Edit(src/**), WebFetch(domain:example.com).</Text>
      {rules.map((r, i) => (
        <RuleRow key={i} rule={r} index={i} count={rules.length} onChange={(nr) => setRules(rules.map((x, j) => (j === i ? nr : x)))} onMove={(to) => move(i, to)} onRemove={() => setRules(rules.filter((_, j) => j !== i))} />
      ))}
      <Group>
        <Button variant="light" size="xs" onClick={() => setRules([...rules, { effect: 'ask', rule: '' }])}>Add rule</Button>
      </Group>
      <Group gap="sm" align="flex-end">
        <Select label="Otherwise" data={EFFECTS} value={draft.default} onChange={(v) => setDraft({ ...draft, default: (v ?? 'ask') as Effect })} w={120} allowDeselect={false} />
        <NumberInput label="Timeout (seconds)" description={draft.timeoutSec > 0 ? span(draft.timeoutSec * 1000) : ' '} min={10} max={7 * 86_400} value={draft.timeoutSec} onChange={(v) => setDraft({ ...draft, timeoutSec: Number(v) })} w={170} />
      </Group>
      <ApiErrorAlert error={error} onClose={clearError} />
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={onCancel}>Cancel</Button>
        <Button type="submit" loading={busy}>Save policy</Button>
      </Group>
    </Stack>
  );
}

/** A workspace's approval policy; admins edit it, and the API's 400 says what is wrong with it. */
export function ApprovalPolicyCard({ ws, onSaved }: { ws: WorkspaceView; onSaved: () => void }) {
  const { isAdmin } = useSession();
  const [editing, setEditing] = useState(false);
  return (
    <Card withBorder data-testid="approval-policy">
      <Group justify="space-between" mb="xs">
        <Text fw={600}>Approval policy</Text>
        {isAdmin && !editing && <Button size="xs" variant="light" onClick={() => setEditing(true)}>Edit policy</Button>}
      </Group>
      {editing ? (
        <PolicyForm ws={ws} onCancel={() => setEditing(false)} onSaved={() => { setEditing(false); onSaved(); }} />
      ) : (
        <PolicyView policy={ws.approvalPolicy ?? DEFAULT_APPROVAL_POLICY} />
      )}
      <Text size="xs" c="dimmed" mt="xs">Applies only where the permission mode would ask: bypassPermissions, dontAsk and plan never ask.</Text>
    </Card>
  );
}
