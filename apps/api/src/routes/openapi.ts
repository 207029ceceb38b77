import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../context.ts';
import { validationHook } from '../validation.ts';

/** A `/v1` router: request schemas are checked by the one validation hook. */
export function v1Router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

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

/** A JSON response of `schema`. */
export function ok<T extends z.ZodType>(schema: T, description = 'OK') {
  return { description, content: { 'application/json': { schema } } };
}

/** `{ref}`: a team or workspace by name or id. */
export const RefParam = z.object({ ref: z.string().min(1).max(80) });

export const TaskIdParam = z.object({ id: z.string().min(1).max(80) });
