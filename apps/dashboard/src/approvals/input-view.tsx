import { Box, Code, Stack, Text } from '@mantine/core';
import { inputShape, type DiffLine } from './model.ts';

const WRAP = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' } as const;
const LINE_BG: Record<DiffLine['op'], string | undefined> = {
  ' ': undefined,
  '-': 'var(--mantine-color-red-light)',
  '+': 'var(--mantine-color-green-light)',
};

/** An edit as a unified diff: removed lines red, added lines green. */
function Diff({ lines }: { lines: DiffLine[] }) {
  return (
    <Code block data-testid="approval-diff" style={{ ...WRAP, maxHeight: 420, overflow: 'auto', padding: 0 }}>
      {lines.map((l, i) => (
        <Box key={i} component="span" display="block" px="xs" bg={LINE_BG[l.op]} data-op={l.op}>
          {`${l.op} ${l.text}`}
        </Box>
      ))}
    </Code>
  );
}

/** A tool call's full input as a person judges it best: the command, the diff, the file's content, or JSON. */
export function ApprovalInput({ toolName, input }: { toolName: string; input: Record<string, unknown> }) {
  const shape = inputShape(toolName, input);
  switch (shape.kind) {
    case 'command':
      return (
        <Stack gap={4}>
          {shape.description && <Text size="sm" c="dimmed">{shape.description}</Text>}
          <Code block data-testid="approval-command" style={WRAP}>{shape.command}</Code>
        </Stack>
      );
    case 'edits':
      return (
        <Stack gap={4}>
          <Text size="sm" ff="monospace">{shape.file}</Text>
          {shape.edits.map((lines, i) => (
            <Diff key={i} lines={lines} />
          ))}
        </Stack>
      );
    case 'write':
      return (
        <Stack gap={4}>
          <Text size="sm" ff="monospace">{shape.file} (whole file)</Text>
          <Code block data-testid="approval-content" style={{ ...WRAP, maxHeight: 420, overflow: 'auto' }}>{shape.content}</Code>
        </Stack>
      );
    default:
      return <Code block data-testid="approval-json" style={{ ...WRAP, maxHeight: 420, overflow: 'auto' }}>{JSON.stringify(input, null, 2)}</Code>;
  }
}
