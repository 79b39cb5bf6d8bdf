import type { Producer } from '../pipeline/drain';

/** A producer silent this long is not waited for (see `follow`). */
const PRODUCER_IDLE_MS = 2_000;

/**
 * The jobs appending to the outbox right now, so a daemon's drain follows them (keeping its chunks full) instead of
 * ending on an empty outbox. One per App; the drain's own rule for chunks lives in pipeline/drain.ts.
 */
export class Producers {
  private count = 0;
  /** Settles when the number of producers next changes; shared by every drain lane waiting on it. */
  private change: { readonly promise: Promise<void>; readonly resolve: () => void } | null = null;

  /** Runs a job that appends to the outbox: while it runs, a following drain keeps waiting for its appends. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.count += 1;
    try {
      return await work();
    } finally {
      this.count -= 1;
      this.change?.resolve();
      this.change = null;
    }
  }

  /**
   * What a daemon's drain follows: the jobs appending right now, as long as they keep appending. A producer that
   * has appended nothing for PRODUCER_IDLE_MS (a store outage retried inside the orders job) no longer holds the
   * drain back waiting for full chunks: what other jobs queued meanwhile goes out at once.
   */
  follow(nextAppend: () => Promise<void>): Producer {
    const producers = this;
    let lastAppend = Date.now();
    return {
      get done() {
        return producers.count === 0 || Date.now() - lastAppend > PRODUCER_IDLE_MS;
      },
      progress: () => Promise.race([
        nextAppend().then(() => {
          lastAppend = Date.now();
        }),
        producers.nextChange(),
        new Promise<void>((resolve) => setTimeout(resolve, PRODUCER_IDLE_MS).unref()),
      ]),
    };
  }

  private nextChange(): Promise<void> {
    if (!this.change) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((settle) => {
        resolve = settle;
      });
      this.change = { promise, resolve };
    }
    return this.change.promise;
  }
}
