import type { Logger } from 'pino';

/**
 * A child of `parent()` with `bindings`, built the first time it is used: most requests log
 * nothing at the enabled level, and building a pino child for each cost more than serving them.
 */
export function lazyChild(parent: () => Logger, bindings: Record<string, unknown>): Logger {
  let real: Logger | undefined;
  const get = (): Logger => (real ??= parent().child(bindings));
  return new Proxy({} as Logger, {
    get(_, prop) {
      const logger = get();
      const value = Reflect.get(logger, prop, logger) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(logger) : value;
    },
    set(_, prop, value) {
      return Reflect.set(get(), prop, value);
    },
  });
}
