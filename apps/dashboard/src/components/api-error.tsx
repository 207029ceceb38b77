import { Alert, Text } from '@mantine/core';
import { ApiError, ConnectionError } from '@switchyard/client';

/** What went wrong, as the API said it: code, message, and for a quota which limit and when it frees. */
export function describeError(err: unknown): { title: string; lines: string[] } {
  if (err instanceof ApiError) {
    const lines = [err.message];
    const d = err.details ?? {};
    if (err.code === 'quota_exceeded') {
      lines.push(`Limit: ${String(d.limit)} — ${String(d.current)} of ${String(d.max)} used.`);
      lines.push(d.resetsAt ? `Frees at ${new Date(String(d.resetsAt)).toLocaleString()}.` : 'Frees when a running task of the team ends.');
    } else if (Object.keys(d).length > 0) {
      lines.push(Object.entries(d).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · '));
    }
    return { title: `${err.status} ${err.code}`, lines };
  }
  if (err instanceof ConnectionError) return { title: 'API unreachable', lines: [err.message] };
  return { title: 'Error', lines: [err instanceof Error ? err.message : String(err)] };
}

export function ApiErrorAlert({ error, onClose }: { error: unknown; onClose?: () => void }) {
  if (!error) return null;
  const { title, lines } = describeError(error);
  return (
    <Alert color="red" title={title} role="alert" withCloseButton={!!onClose} onClose={onClose} data-testid="api-error">
      {lines.map((l) => (
        <Text key={l} size="sm">
          {l}
        </Text>
      ))}
    </Alert>
  );
}
