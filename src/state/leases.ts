import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { StateStore } from './port';

/**
 * Job leases over the store, so two processes on one state never run the same job at once. A lease is a name held
 * by a holder until an expiry; the holder renews it while it works; a holder that crashes simply stops renewing,
 * and once the ttl has passed anyone may take it. Correctness comes from the store's atomic `acquireLease`, never
 * from memory in this process (two `withLease` calls in one process contend exactly as two processes do).
 */
export interface LeaseOptions {
  readonly ttlMs: number;
  /** `skip`: run only if the lease is free now; otherwise poll (with backoff) for up to `timeoutMs`. */
  readonly wait: 'skip' | { readonly timeoutMs: number };
  /** Stops waiting (resolves `{ ran: false }`) and aborts `lost` for a running `fn`. */
  readonly signal?: AbortSignal;
}

export type LeaseOutcome<T> = { readonly ran: true; readonly value: T } | { readonly ran: false };

/** host:pid:random, unique per acquisition: a holder's second acquisition never mistakes the first's lease for its own. */
export function newHolderId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
}

/**
 * Waits between attempts: 20 ms doubling to 200 ms, never past what is left of the timeout. A fleet runs one
 * store's jobs on different workers, which hand the short writer lease to each other across processes on every
 * page: a wait capped at a second made each handover cost up to a second (bench:fleet, 4 workers: 63 s → 36 s).
 */
export function backoffMs(attempt: number, leftMs: number): number {
  return Math.max(0, Math.min(20 * 2 ** Math.min(attempt, 5), 200, leftMs));
}

export async function withLease<T>(
  store: StateStore,
  name: string,
  options: LeaseOptions,
  fn: (lost: AbortSignal) => Promise<T>,
): Promise<LeaseOutcome<T>> {
  const holder = newHolderId();
  if (!(await acquire(store, name, holder, options))) return { ran: false };
  const lost = new AbortController();
  const forward = () => lost.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', forward, { once: true });
  // Renew at a third of the ttl: two renewals may fail (a slow store) before the lease can run out under us.
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renewing.then(async () => {
      if (lost.signal.aborted) return;
      const kept = await store.acquireLease(name, holder, options.ttlMs).catch(() => false);
      if (!kept) lost.abort(new Error(`lease "${name}" lost: renewal failed`));
    });
  }, Math.max(1, Math.floor(options.ttlMs / 3)));
  timer.unref();
  try {
    return { ran: true, value: await fn(lost.signal) };
  } finally {
    clearInterval(timer);
    options.signal?.removeEventListener('abort', forward);
    await renewing;
    await store.releaseLease(name, holder).catch(() => undefined); // unreleased, it runs out after the ttl
  }
}

async function acquire(store: StateStore, name: string, holder: string, options: LeaseOptions): Promise<boolean> {
  if (options.signal?.aborted) return false;
  if (await store.acquireLease(name, holder, options.ttlMs)) return true;
  if (options.wait === 'skip') return false;
  const deadline = Date.now() + options.wait.timeoutMs;
  for (let attempt = 0; Date.now() < deadline; attempt += 1) {
    if (!(await sleep(backoffMs(attempt, deadline - Date.now()), options.signal))) return false;
    if (await store.acquireLease(name, holder, options.ttlMs)) return true;
  }
  return false;
}

/** False when `signal` aborted the sleep. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
