import type { Hook } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { z } from 'zod';
import { ValidationError } from '@switchyard/core';

/** One problem zod found, as it appears in `details.issues`. */
export interface Issue {
  path: string;
  message: string;
  code: string;
}

/** A body that is not JSON at all: a ValidationError a caller with its own wording can tell apart. */
export class MalformedJsonError extends ValidationError {
  constructor() {
    super('malformed JSON in request body', { target: 'json', issues: [] });
  }
}

/**
 * The one ValidationError of a failed zod parse: the first problem in the message, every problem
 * in `details.issues`. Both the OpenAPI hook and `readJson` build theirs here.
 */
export function validationError(
  error: { issues: readonly { path: readonly PropertyKey[]; message: string; code: string }[] },
  target: string,
): ValidationError {
  const issues: Issue[] = error.issues.map((i) => ({
    path: i.path.map(String).join('.'),
    message: i.message,
    code: i.code,
  }));
  const first = issues[0];
  const where = first?.path ? `${first.path}: ` : '';
  // `field` names the first offending field (`prompt`, `allowedTools.0`, `labels.team`).
  const field = first?.path || undefined;
  return new ValidationError(`${where}${first?.message ?? 'invalid request'}`, { target, ...(field ? { field } : {}), issues });
}

/** The `/v1` OpenAPI routes' `defaultHook`: a failed request schema becomes our ValidationError. */
export const validationHook: Hook<unknown, any, string, unknown> = (result) => {
  if (!result.success) throw validationError(result.error, result.target);
};

/** Reads and validates a JSON body with a core schema, for routes outside the OpenAPI app. */
export async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new MalformedJsonError();
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error, 'json');
  return parsed.data;
}
