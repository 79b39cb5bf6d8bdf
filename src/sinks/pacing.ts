/**
 * The pacing port: how a destination's requests wait for their rate window. In one process the destination's own
 * pacer does it; on a fleet, every worker serving one provider account shares that account's windows through a
 * store (Redis), so the account's limits hold however many workers send for it.
 */

/** Requests in flight and recent answers of one endpoint of one account, read atomically on the store's clock. */
export interface WindowSnapshot {
  /** The store's clock, ms: every worker judges the windows on this one clock. */
  readonly now: number;
  readonly inFlight: number;
  /** Answer times (ms, ascending) of the requests answered within the longest window. */
  readonly ends: readonly number[];
  readonly pausedUntil: number;
  /** Changes with every take, finish and pause: a take succeeds only against the snapshot it was decided on. */
  readonly version: number;
}

/** One account's shared windows, per endpoint. */
export interface SharedWindows {
  snapshot(endpoint: string): Promise<WindowSnapshot>;
  /** Records `slot` as in flight (expiring after `ttlMs` if never finished) iff nothing changed since `version`. */
  take(endpoint: string, version: number, slot: string, ttlMs: number): Promise<boolean>;
  /** The request of `slot` got its answer (or failed for good), now on the store's clock. */
  finish(endpoint: string, slot: string): Promise<void>;
  /** After a 429: nothing starts on this endpoint of this account for `ms`. */
  pause(endpoint: string, ms: number): Promise<void>;
  /**
   * How long a job's first request may wait for the account's budget before the job is put back (the fleet's
   * SHIPSIGNAL_WORKER_MAX_BUDGET_WAIT_MS); absent: the sink's own default.
   */
  readonly maxWaitMs?: number;
}

/** Opens the shared windows of one account (an opaque id derived from its credentials, never the key itself). */
export type SharedWindowsFor = (account: string) => SharedWindows;

/**
 * The account is out of budget for longer than a job should hold a worker: the job is put back until `untilMs`
 * (its records stay in the outbox) instead of waiting, so other accounts' jobs run meanwhile.
 */
export class OutOfBudgetError extends Error {
  constructor(readonly untilMs: number, readonly endpoint: string) {
    super(`rate budget of ${endpoint} spent until ${new Date(untilMs).toISOString()}`);
  }
}

/** The OutOfBudgetError in an error or its cause chain (a delivery wraps what its requests threw). */
export function outOfBudget(error: unknown): OutOfBudgetError | null {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if (current instanceof OutOfBudgetError) return current;
  }
  return null;
}
