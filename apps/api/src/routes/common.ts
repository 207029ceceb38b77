import { z } from '@hono/zod-openapi';
import type { Hook } from '@hono/zod-openapi';
import { ValidationError } from '@switchyard/core';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');

const err = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});

export const ErrorResponses = {
  400: err('Invalid request: malformed JSON, wrong types, unknown fields, bad parameters'),
  401: err('Missing, invalid, expired or revoked token'),
  403: err('The token’s role may not do this'),
  404: err('Not found, or belongs to another team'),
  409: err('Conflicts with the current state'),
  413: err('Body or prompt too large'),
  429: err('Over a team quota; see Retry-After'),
  503: err('Redis or SQLite unavailable'),
} as const;

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

/** Turns a failed zod validation into our error shape, naming every bad field. */
export const validationHook: Hook<unknown, any, string, unknown> = (result) => {
  if (result.success) return;
  const issues = result.error.issues.map((i) => ({
    path: i.path.join('.'),
    message: i.message,
    code: i.code,
  }));
  const first = issues[0];
  const where = first?.path ? `${first.path}: ` : '';
  throw new ValidationError(`${where}${first?.message ?? 'invalid request'}`, {
    target: result.target,
    issues,
  });
};
