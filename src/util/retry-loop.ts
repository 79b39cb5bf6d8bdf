import type { RetryableError } from './errors';
import { retryDelayMs, sleep, type BackoffPolicy } from './retry';

/** Told once when a streak of retryable failures starts and once when it ends: one log line per incident. */
export interface IncidentObserver {
  incident(code: string, detail: string): void;
  recovered(code: string, attempts: number): void;
}

export type AttemptOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RetryableError };

/**
 * The retry loop the store clients share: an attempt either succeeds, throws (a permanent failure) or returns a
 * RetryableError, which is waited out per src/util/retry (Retry-After first, else jittered backoff) until the
 * attempts are spent or `signal` aborts. Keeps the incident streak across calls, so an outage spanning many calls
 * is still one incident.
 */
export class RetryLoop {
  private streak: { code: string; attempts: number } | null = null;

  constructor(private readonly policy: BackoffPolicy, private readonly observer?: IncidentObserver, private readonly signal?: AbortSignal) {}

  async run<T>(attempt: () => Promise<AttemptOutcome<T>>): Promise<T> {
    for (let count = 1; ; count++) {
      const outcome = await attempt();
      if (outcome.ok) {
        if (this.streak) this.observer?.recovered(this.streak.code, this.streak.attempts);
        this.streak = null;
        return outcome.value;
      }
      if (!this.streak) this.observer?.incident(outcome.error.code, outcome.error.message);
      this.streak = { code: this.streak?.code ?? outcome.error.code, attempts: (this.streak?.attempts ?? 0) + 1 };
      const delay = retryDelayMs(count, this.policy, outcome.error.retryAfterMs);
      if (delay === null) throw outcome.error;
      await sleep(delay, this.signal);
      if (this.signal?.aborted) throw outcome.error;
    }
  }
}
