import { Accordion, Alert, Badge, Code, Group, Paper, Stack, Text, Typography } from '@mantine/core';
import type { ApprovalView, TurnView } from '@switchyard/core';
import Markdown from 'react-markdown';
import { ApprovalCard, ApprovalNote } from '../approvals/card.tsx';
import { duration, usd } from '../lib/format.ts';
import type { Item } from './transcript-model.ts';

/** Long unbroken output wraps instead of widening the page (phones). */
const WRAP = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' } as const;
const json = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));

/** Assistant text as markdown. react-markdown never renders raw HTML: it shows as text. */
function MarkdownText({ text }: { text: string }) {
  return (
    <Typography>
      <Markdown skipHtml>{text}</Markdown>
    </Typography>
  );
}

function ToolCall({ item }: { item: Extract<Item, { kind: 'tool' }> }) {
  const hint = item.input && typeof item.input === 'object' ? (Object.values(item.input as object).find((v) => typeof v === 'string') as string | undefined) : undefined;
  return (
    <Accordion variant="contained" chevronPosition="left" data-testid="tool-call">
      <Accordion.Item value="tool">
        <Accordion.Control>
          <Group gap="xs" wrap="nowrap">
            <Badge variant="light" color={item.isError ? 'red' : 'gray'}>{item.name}</Badge>
            <Text size="sm" c="dimmed" lineClamp={1}>{hint?.slice(0, 120)}</Text>
            {item.isError && <Badge color="red">error</Badge>}
          </Group>
        </Accordion.Control>
        <Accordion.Panel>
          <Text size="xs" fw={600}>Input</Text>
          <Code block style={WRAP}>{json(item.input)}</Code>
          {item.result !== undefined && (
            <>
              <Text size="xs" fw={600} mt="xs" c={item.isError ? 'red' : undefined}>Result</Text>
              <Code block color={item.isError ? 'red.1' : undefined} style={{ ...WRAP, maxHeight: 320, overflow: 'auto' }}>{item.result.slice(0, 20_000)}</Code>
            </>
          )}
        </Accordion.Panel>
      </Accordion.Item>
    </Accordion>
  );
}

function ResultCard({ item }: { item: Extract<Item, { kind: 'result' }> }) {
  return (
    <Alert color={item.ok ? 'green' : 'red'} title={item.ok ? 'Done' : `Failed (${item.subtype})`} data-testid="turn-result">
      <Text size="xs" c="dimmed" mb="xs">
        {usd(item.costUsd)} session total · {item.numTurns ?? '—'} model calls · {duration(item.durationMs)} claude time
      </Text>
      {item.text && <MarkdownText text={item.text} />}
      {item.denials.length > 0 && (
        <Stack gap={4} mt="xs" data-testid="permission-denials">
          <Text size="sm" fw={600} c="orange">Permission denied ({item.denials.length})</Text>
          {item.denials.map((d, i) => (
            <Code key={i} block color="orange.1" style={WRAP}>{`${d.tool} ${json(d.input)}`}</Code>
          ))}
        </Stack>
      )}
    </Alert>
  );
}

function ItemView({ item }: { item: Item }) {
  switch (item.kind) {
    case 'text':
      return <MarkdownText text={item.text} />;
    case 'tool':
      return <ToolCall item={item} />;
    case 'result':
      return <ResultCard item={item} />;
    case 'error':
      return <Alert color="red" variant="light" data-testid="transcript-error">{item.text}</Alert>;
    case 'raw':
      return <Code block style={WRAP}>{item.text}</Code>;
    default:
      return <Text size="xs" c="dimmed">{item.text}</Text>;
  }
}

/**
 * Each turn's prompt, then what claude did, in order; live items append at the end. An answered
 * approval sits under the tool call it was about; a pending one waits, with its actions, at the end.
 */
export function TranscriptView({ items, turns, approvals = [], onAnswered }: { items: Item[]; turns: TurnView[]; approvals?: ApprovalView[]; onAnswered?: (a: ApprovalView) => void }) {
  const blocks: { key: string; node: React.ReactNode }[] = [];
  const answered = new Map<string, ApprovalView[]>();
  for (const a of approvals) if (a.status !== 'pending') answered.set(a.toolUseId, [...(answered.get(a.toolUseId) ?? []), a]);
  const note = (a: ApprovalView) => blocks.push({ key: a.id, node: <ApprovalNote approval={a} /> });
  let t = 0;
  const prompt = (turn: TurnView) =>
    blocks.push({
      key: `turn-${turn.n}`,
      node: (
        <Paper withBorder p="sm" bg="var(--mantine-color-blue-light)" data-testid="turn-prompt">
          <Text size="xs" c="dimmed">Turn {turn.n}</Text>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{turn.prompt}</Text>
        </Paper>
      ),
    });
  for (const item of items) {
    while (t < turns.length && (turns[t]!.n === 1 || (turns[t]!.startSeq !== null && turns[t]!.startSeq! <= item.seq))) prompt(turns[t++]!);
    blocks.push({ key: `${item.seq}-${blocks.length}`, node: <ItemView item={item} /> });
    if (item.kind === 'tool' && answered.has(item.id)) {
      answered.get(item.id)!.forEach(note);
      answered.delete(item.id);
    }
  }
  while (t < turns.length) prompt(turns[t++]!);
  for (const rest of answered.values()) rest.forEach(note);
  for (const a of approvals.filter((x) => x.status === 'pending')) blocks.push({ key: a.id, node: <ApprovalCard approval={a} onAnswered={onAnswered} /> });
  return (
    <Stack gap="sm" data-testid="transcript" style={{ overflowWrap: 'anywhere', minWidth: 0 }}>
      {blocks.map((b) => (
        <div key={b.key}>{b.node}</div>
      ))}
    </Stack>
  );
}
