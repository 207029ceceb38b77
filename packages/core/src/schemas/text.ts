import { z } from 'zod';

// The string building blocks of every wire shape. A NUL makes spawn() throw and a control
// character in a name or path is never meant, so they are refused here, once, with the field's
// path in the issue; sizes are bytes (UTF-8), as everywhere in Switchyard.

/** Every C0 and C1 control character and DEL: never part of a name, path, model or tool rule. */
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** UTF-8 length of a string without allocating it. */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i += 1;
    } else n += 3;
  }
  return n;
}

const noNul = (s: string): boolean => !s.includes('\0');
const NUL_MESSAGE = 'must not contain NUL (\\0)';

function bounded<T extends z.ZodString>(schema: T, maxBytes: number) {
  return schema.refine((s) => utf8Bytes(s) <= maxBytes, `must be at most ${maxBytes} bytes`);
}

/** Free text (results, reasons, problems): no NUL, at most `maxBytes`. */
export const SafeText = (maxBytes: number) => bounded(z.string().refine(noNul, NUL_MESSAGE), maxBytes);

/**
 * Text a person wrote or pasted (prompt, appendSystemPrompt): anything but NUL, which no process
 * argument can carry. Pasted terminal output brings escapes and bells, and claude gets it byte
 * for byte (it is an argument value, never read by a shell or tmux). Unbounded here when the
 * limit is configuration (the prompt).
 */
export const ProseText = (maxBytes = Number.MAX_SAFE_INTEGER) => bounded(z.string().refine(noNul, NUL_MESSAGE), maxBytes);

/** Identifiers, paths, labels, versions, host names: no control character at all. */
export const Identifier = (maxBytes: number) =>
  bounded(
    z
      .string()
      .refine(noNul, NUL_MESSAGE)
      .refine((s) => !ANY_CONTROL.test(s), 'must not contain control characters'),
    maxBytes,
  );

/** An absolute path: no control character, at most 4 KiB. Normalisation is checked where it is used. */
export const PathText = Identifier(4096)
  .refine((s) => s.length > 0, 'must not be empty')
  .refine((s) => s.startsWith('/'), 'must be an absolute path');

/** Labels: at most 64, each key 1–63 bytes and value ≤ 255 bytes, no control characters. */
export const LabelsSchema = z
  .record(
    Identifier(63).refine((s) => s.length > 0, 'a label key must not be empty'),
    Identifier(255),
  )
  .refine((r) => Object.keys(r).length <= 64, 'at most 64 labels');

/**
 * A JSON document an admin sets (`settings`, `mcpConfig`): an object, at most `maxBytes` when
 * serialised, with no NUL in any key or string.
 */
export const JsonDocument = (maxBytes: number) =>
  z
    .record(z.string(), z.unknown())
    .refine((v) => !JSON.stringify(v).includes('\\u0000'), NUL_MESSAGE)
    .refine((v) => utf8Bytes(JSON.stringify(v)) <= maxBytes, `must be at most ${maxBytes} bytes as JSON`);
