/**
 * Named leases the jobs run under: one per job kind (`orders`, `trackers`, `reviews`, `drain`) so a kind never runs
 * twice at once, and the short `writer` lease around each read-compute-commit of a page, so two jobs never
 * interleave their state writes. No lease is held across a network retry: reads from sources happen outside
 * `writer`, and a job kind's lease only keeps out a second run of the same kind.
 */
import { withLease, type LeaseOutcome } from '../state/leases';
import type { StateStore } from '../state/store';

export type LeaseWait = 'skip' | { readonly timeoutMs: number };
export type { LeaseOutcome };

export interface Leases {
  run<T>(name: string, wait: LeaseWait, work: (lost: AbortSignal) => Promise<T>): Promise<LeaseOutcome<T>>;
}

export class LeaseTimeoutError extends Error {
  constructor(readonly lease: string, timeoutMs: number) {
    super(`lease ${lease} still held by another run after ${timeoutMs} ms`);
  }
}

/**
 * The state store's leases (with expiry, renewed while held): exclusion across processes on one state. A holder
 * killed while holding one stops renewing, and another process takes it once the ttl has passed.
 */
export function storeLeases(store: StateStore, ttlMs: number, signal: AbortSignal): Leases {
  return { run: (name, wait, work) => withLease(store, name, { ttlMs, wait, signal }, work) };
}

/**
 * Leases inside one process: a queue per name. The cross-process lease of the state store (with expiry) is taken
 * inside it, so one process never asks the store for a lease it already holds.
 */
export function localLeases(inner?: Leases): Leases {
  /** Per name: settles once every run queued so far has ended. */
  const tails = new Map<string, Promise<unknown>>();
  return {
    async run<T>(name: string, wait: LeaseWait, work: (lost: AbortSignal) => Promise<T>): Promise<LeaseOutcome<T>> {
      const before = tails.get(name);
      if (wait === 'skip' && before) return { ran: false };
      let release: () => void = () => undefined;
      const mine = new Promise<void>((resolve) => {
        release = resolve;
      });
      // A waiter that times out releases its turn, but the next one still waits for the holder before it.
      const tail = Promise.all([before, mine]);
      tails.set(name, tail);
      try {
        if (before && wait !== 'skip') await withTimeout(before, wait.timeoutMs, name);
        if (inner) return await inner.run(name, wait, work);
        return { ran: true, value: await work(new AbortController().signal) };
      } finally {
        release();
        if (tails.get(name) === tail) tails.delete(name);
      }
    },
  };
}

async function withTimeout(waiting: Promise<unknown>, timeoutMs: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([waiting, new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LeaseTimeoutError(name, timeoutMs)), timeoutMs);
    })]);
  } finally {
    clearTimeout(timer);
  }
}
