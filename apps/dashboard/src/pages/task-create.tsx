import { useState } from 'react';
import { Button, Group, Modal, NumberInput, SegmentedControl, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { PERMISSION_MODES, type TaskCreate as TaskCreateBody } from '@switchyard/core';
import { useNavigate } from 'react-router-dom';
import { ApiErrorAlert } from '../components/api-error.tsx';
import { useSession } from '../lib/session.tsx';
import { useAsync, useSubmit } from '../lib/use-async.ts';

interface Form {
  target: 'workspace' | 'pool';
  workspace: string | null;
  team: string | null;
  workdir: string;
  prompt: string;
  model: string;
  permissionMode: string | null;
  maxTurns: number | string;
  priority: number | string;
}

/** The body of `POST /v1/tasks` from the form: only what was filled in. */
export function bodyOf(f: Form): TaskCreateBody {
  const body: Record<string, unknown> = { prompt: f.prompt };
  if (f.target === 'workspace' && f.workspace) body.workspace = f.workspace;
  if (f.target === 'pool' && f.team) body.team = f.team;
  if (f.workdir.trim()) body.workdir = f.workdir.trim();
  if (f.model.trim()) body.model = f.model.trim();
  if (f.permissionMode) body.permissionMode = f.permissionMode;
  if (f.maxTurns !== '') body.maxTurns = Number(f.maxTurns);
  if (f.priority !== '' && Number(f.priority) !== 0) body.priority = Number(f.priority);
  return body as TaskCreateBody;
}

/** A new task in a workspace or a team's pool; a refusal (403, 429 quota…) is shown as the API said it. */
export function TaskCreate({ onClose, workspace }: { onClose: () => void; workspace?: string }) {
  const { client, me } = useSession();
  const navigate = useNavigate();
  const workspaces = useAsync(() => client.workspaces.list(), [client]);
  const teams = useAsync(() => client.teams.list(), [client]);
  const [f, setF] = useState<Form>({
    target: 'workspace',
    workspace: workspace ?? me.defaultWorkspace ?? null,
    team: me.team,
    workdir: '',
    prompt: '',
    model: '',
    permissionMode: null,
    maxTurns: '',
    priority: 0,
  });
  const { busy, error, submit } = useSubmit(async () => {
    const { task } = await client.tasks.create(bodyOf(f));
    navigate(`/tasks/${task.id}`);
  });
  const pools = new Set((workspaces.data ?? []).filter((w) => w.pool).map((w) => w.team));
  return (
    <Modal opened onClose={onClose} title="New task" size="lg">
      <Stack component="form" onSubmit={submit}>
        <SegmentedControl value={f.target} onChange={(v) => setF({ ...f, target: v as Form['target'] })} data={[{ value: 'workspace', label: 'A workspace' }, { value: 'pool', label: 'A team pool' }]} />
        {f.target === 'workspace' ? (
          <Select label="Workspace" required searchable data={(workspaces.data ?? []).map((w) => w.name)} value={f.workspace} onChange={(v) => setF({ ...f, workspace: v })} />
        ) : (
          <Select label="Team pool" required data={(teams.data ?? []).filter((t) => pools.has(t.name)).map((t) => t.name)} value={f.team} onChange={(v) => setF({ ...f, team: v })} />
        )}
        <TextInput label="Workdir" description="Absolute, under the workspace's roots; empty: the agent's default" value={f.workdir} onChange={(e) => setF({ ...f, workdir: e.currentTarget.value })} />
        <Textarea label="Prompt" required autosize minRows={4} maxRows={14} value={f.prompt} onChange={(e) => setF({ ...f, prompt: e.currentTarget.value })} />
        <Group grow align="flex-start">
          <TextInput label="Model" placeholder="default" value={f.model} onChange={(e) => setF({ ...f, model: e.currentTarget.value })} />
          <Select label="Permission mode" placeholder="workspace default" clearable data={[...PERMISSION_MODES]} value={f.permissionMode} onChange={(v) => setF({ ...f, permissionMode: v })} />
        </Group>
        <Group grow>
          <NumberInput label="Max turns" min={1} value={f.maxTurns} onChange={(v) => setF({ ...f, maxTurns: v })} />
          <NumberInput label="Priority" min={0} max={1000} value={f.priority} onChange={(v) => setF({ ...f, priority: v })} />
        </Group>
        <ApiErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={busy}>Queue task</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
