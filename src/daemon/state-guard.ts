import { RetryableError } from '../util/errors';

/** A state-store call failed: readiness blames `state`, not the source whose job happened to be running. */
export class StateUnavailableError extends RetryableError {
  constructor(operation: string, cause: unknown) {
    super(`state store ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, 'state_unavailable', null, { cause });
  }
}

/**
 * Wraps every asynchronous method of the state store so its failures are typed as StateUnavailableError, and
 * reports each outcome (readiness). A proxy rather than a hand-written decorator: the store's port grows (commit,
 * leases) and every method is covered without listing it.
 */
export function guardState<S extends object>(store: S, report: (ok: boolean, error: Error | null) => void): S {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'constructor') return value;
      return (...args: unknown[]) => {
        const result: unknown = Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (resolved: unknown) => {
            report(true, null);
            return resolved;
          },
          (error: unknown) => {
            const typed = error instanceof StateUnavailableError ? error : new StateUnavailableError(String(property), error);
            report(false, typed);
            throw typed;
          },
        );
      };
    },
  });
}
