import { useState } from 'react';
import { Button, Checkbox, Modal, NumberInput, Select, Stack, Text, TextInput } from '@mantine/core';
import type { TokenCreated } from '@switchyard/client';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { CopyField } from '../components/bits.tsx';
import { useSession } from '../lib/session.tsx';
import { useAsync, useSubmit } from '../lib/use-async.ts';

/**
 * How to start a workspace's agent with its token: from a Switchyard checkout in the pod (the
 * token goes to a private file, not a command line), or as the Helm example's sidecar.
 */
export function agentCommands(url: string, ws: string, token: string): { shell: string; helm: string } {
  const shell = [
    `mkdir -p ~/.switchyard && (umask 077; printf '%s\\n' '${token}' > ~/.switchyard/agent-token)`,
    `apps/agent/bin/switchyard-agent.js --url ${url} --token-file ~/.switchyard/agent-token --workdir-root "$HOME"`,
  ].join('\n');
  const helm = [
    `kubectl create secret generic switchyard-agent-${ws} --from-literal=token='${token}'`,
    `# the agent container of the workspace pod (deploy/helm/switchyard/examples/workspace-agent-sidecar.yaml):`,
    `env:`,
    `  - { name: SWITCHYARD_URL, value: "${url}" }`,
    `  - name: SWITCHYARD_AGENT_TOKEN`,
    `    valueFrom: { secretKeyRef: { name: switchyard-agent-${ws}, key: token } }`,
  ].join('\n');
  return { shell, helm };
}

/** Admins: create a workspace and issue its agent token, shown once with how to start the agent. */
export function OnboardWorkspace({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: () => void }) {
  const { client } = useSession();
  const teams = useAsync(() => (opened ? client.teams.list() : Promise.resolve([])), [client, opened]);
  const [form, setForm] = useState({ name: '', team: 'default', maxConcurrency: 1, pool: false, roots: '' });
  const [issued, setIssued] = useState<{ ws: string; token: TokenCreated } | null>(null);
  const { error, submit } = useSubmit(async () => {
    const roots = form.roots.split(/[\s,:]+/).filter(Boolean);
    const ws = await client.workspaces.create({ name: form.name, team: form.team, maxConcurrency: form.maxConcurrency, pool: form.pool, ...(roots.length ? { workdirRoots: roots } : {}) });
    setIssued({ ws: ws.name, token: await client.workspaces.issueAgentToken(ws.name) });
    onCreated();
  });
  const close = () => {
    setIssued(null);
    onClose();
  };
  const cmd = issued && agentCommands(window.location.origin, issued.ws, issued.token.token);
  return (
    <Modal opened={opened} onClose={close} title={issued ? `Workspace ${issued.ws} created` : 'Add a workspace'} size="lg">
      {cmd ? (
        <Stack>
          <Text size="sm" fw={600}>The agent token is shown this once. Start the agent in the workspace pod, from a Switchyard checkout:</Text>
          <CopyField value={cmd.shell} label="Copy command" />
          <Text size="sm" fw={600}>Or with Helm, as a sidecar:</Text>
          <CopyField value={cmd.helm} label="Copy Helm values" />
          <Button onClick={close}>Done</Button>
        </Stack>
      ) : (
        <Stack component="form" onSubmit={submit}>
          <TextInput label="Name" description="Lowercase letters, digits and dashes" required value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} />
          <Select label="Team" data={(teams.data ?? []).map((t) => t.name)} value={form.team} onChange={(v) => setForm({ ...form, team: v ?? 'default' })} />
          <NumberInput label="Max concurrency" min={1} max={256} value={form.maxConcurrency} onChange={(v) => setForm({ ...form, maxConcurrency: Number(v) || 1 })} />
          <TextInput label="Workdir roots" description="Absolute directories tasks may run in (default: the agent's)" value={form.roots} onChange={(e) => setForm({ ...form, roots: e.currentTarget.value })} />
          <Checkbox label="In the team pool (takes the team's pool tasks)" checked={form.pool} onChange={(e) => setForm({ ...form, pool: e.currentTarget.checked })} />
          <ApiErrorAlert error={error} />
          <Button type="submit">Create and issue agent token</Button>
        </Stack>
      )}
    </Modal>
  );
}
