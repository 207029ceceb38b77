import type { Schema } from './http.ts';

// Envelopes around the core view schemas ({tasks, nextCursor}, {workspaces}, …). Built here
// structurally so the client needs no zod of its own; the items are checked by core's schemas.

type Infer<S> = S extends Schema<infer T> ? T : never;
type Issue = { path: PropertyKey[]; message: string };
type Result<T> = { success: true; data: T } | { success: false; error: { issues: Issue[] } };

const fail = (path: PropertyKey[], message: string): Result<never> => ({ success: false, error: { issues: [{ path, message }] } });

function primitive<T>(what: string, check: (v: unknown) => boolean): Schema<T> {
  return { safeParse: (v) => (check(v) ? { success: true, data: v as T } : fail([], `expected ${what}`)) };
}

export const str = primitive<string>('a string', (v) => typeof v === 'string');
export const num = primitive<number>('a number', (v) => typeof v === 'number' && Number.isFinite(v));
export const bool = primitive<boolean>('a boolean', (v) => typeof v === 'boolean');

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return { safeParse: (v) => (v === null ? { success: true, data: null } : inner.safeParse(v)) };
}

/** An object with (at least) these keys; other keys pass through untouched. */
export function objectOf<S extends Record<string, Schema<unknown>>>(shape: S): Schema<{ [K in keyof S]: Infer<S[K]> }> {
  return {
    safeParse(data): Result<{ [K in keyof S]: Infer<S[K]> }> {
      if (!data || typeof data !== 'object' || Array.isArray(data)) return fail([], 'expected an object');
      for (const [key, schema] of Object.entries(shape)) {
        const r = schema.safeParse((data as Record<string, unknown>)[key]);
        if (!r.success) {
          return { success: false, error: { issues: r.error.issues.map((i) => ({ path: [key, ...i.path], message: i.message })) } };
        }
      }
      return { success: true, data: data as { [K in keyof S]: Infer<S[K]> } };
    },
  };
}
