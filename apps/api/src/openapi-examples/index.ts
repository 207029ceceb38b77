import { MEDIA_EXAMPLES, OPERATION_EXAMPLES } from './operations.ts';

export { OPERATION_EXAMPLES } from './operations.ts';

interface Media {
  schema?: unknown;
  example?: unknown;
}
interface Operation {
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, { content?: Record<string, Media> }>;
}
/** The part of an OpenAPI document this reads and fills. */
export interface OpenApiDoc {
  paths?: Record<string, Record<string, Operation>>;
}

/** What each error status carries, as `{"error": {...}}`. */
const ERRORS: Record<string, { code: string; message: string; details?: Record<string, unknown> }> = {
  400: { code: 'invalid_request', message: 'prompt: prompt must not be empty', details: { field: 'prompt' } },
  401: { code: 'unauthorized', message: 'missing or invalid bearer token' },
  403: { code: 'forbidden', message: 'a viewer may not create tasks' },
  404: { code: 'not_found', message: 'task tsk_0mwx3m90kffef46dbd4 not found' },
  409: { code: 'conflict', message: 'cannot go from completed to running', details: { from: 'completed', to: 'running' } },
  413: { code: 'payload_too_large', message: 'prompt is 300000 bytes, the limit is 262144', details: { field: 'prompt', limit: 262144 } },
  429: { code: 'quota_exceeded', message: 'team payments has 4 tasks running, its limit', details: { limit: 'maxRunning' } },
  503: { code: 'unavailable', message: 'Redis is not reachable' },
};

/**
 * Fills `doc` (in place) with an example request body and response for every operation the
 * table knows, and an error body for every error status; returns it.
 */
export function withExamples<T extends object>(doc: T): T {
  for (const [path, methods] of Object.entries((doc as OpenApiDoc).paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      const key = `${method.toUpperCase()} ${path}`;
      const examples = OPERATION_EXAMPLES[key];
      const json = op.requestBody?.content?.['application/json'];
      if (json && examples?.request !== undefined) json.example = examples.request;
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          const example = MEDIA_EXAMPLES[key]?.[type] ?? (type === 'text/event-stream' ? undefined : examples?.responses[status]);
          if (example !== undefined) media.example = example;
          else if (ERRORS[status] && type === 'application/json') media.example = { error: ERRORS[status] };
        }
      }
    }
  }
  return doc;
}
