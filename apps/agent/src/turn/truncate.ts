/** The one rule for a line too long to keep: a flagged marker with its size and a short head. */

const HEAD_BYTES = 1024;

/** The first `max` UTF-8 bytes of `text`, cut at a character boundary. */
export function utf8Head(text: string, max: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= max) return text;
  let end = max;
  // Back off over continuation bytes (10xxxxxx) so no character is cut in two.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/** What replaces a line over the per-line limit; stored under the line's own seq. */
export function truncationMarker(line: string): string {
  return JSON.stringify({ type: 'switchyard', subtype: 'line_truncated', bytes: Buffer.byteLength(line), head: utf8Head(line, HEAD_BYTES) });
}

export function isTruncationMarker(line: string): boolean {
  return line.startsWith('{"type":"switchyard","subtype":"line_truncated"');
}
