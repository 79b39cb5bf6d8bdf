/**
 * Typed errors say whether trying again can help. Everything that crosses a source or sink boundary is one of these.
 */
export abstract class ShipsignalError extends Error {
  abstract readonly retryable: boolean;
  constructor(message: string, readonly code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A transient failure: rate limit, 5xx, timeout, reset. `retryAfterMs` carries the server's own advice. */
export class RetryableError extends ShipsignalError {
  readonly retryable = true;
  constructor(message: string, code: string, readonly retryAfterMs: number | null = null, options?: { cause?: unknown }) {
    super(message, code, options);
  }
}

/** The request or record itself is wrong; repeating it can never succeed. */
export class PermanentError extends ShipsignalError {
  readonly retryable = false;
}

/** One bad record: rejected with a reason, never retried, never blocks its neighbours. */
export class RecordRejection extends PermanentError {
  constructor(readonly source: string, readonly recordId: string, reason: string) {
    super(reason, 'record_rejected');
  }
}
