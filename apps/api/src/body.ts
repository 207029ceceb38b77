import type { Context } from 'hono';
import type { z } from 'zod';
import { ValidationError } from '@switchyard/core';

/** Reads and validates a JSON body with a core schema (for routes outside the OpenAPI app). */
export async function parseJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new ValidationError('malformed JSON in request body');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code }));
    const first = issues[0];
    throw new ValidationError(`${first?.path ? `${first.path}: ` : ''}${first?.message ?? 'invalid body'}`, { issues });
  }
  return parsed.data;
}
