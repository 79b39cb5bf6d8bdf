import { DurableLog } from './durable-log';
import { LOGS } from './keys';
import type { CommitAppend, StateStore } from './port';

/** A record we refused (or Klaviyo refused), with enough to find it at its source. */
export interface StoredRejection {
  readonly at: string;
  /** Where it came from: `shopify`, `easypost`, `webhook:easypost`, `klaviyo`... */
  readonly source: string;
  readonly recordId: string;
  readonly reason: string;
}

/** The rejects log that `shipsignal rejects` lists. Append-only; never blocks the pipeline. */
export class RejectsLog {
  private readonly log: DurableLog<StoredRejection>;

  constructor(store: StateStore) {
    this.log = new DurableLog<StoredRejection>(store, LOGS.rejects);
  }

  /** The append of these rejections, for a caller that commits them with other state. */
  appendsFor(rejections: readonly StoredRejection[]): CommitAppend {
    return this.log.appendsFor(rejections);
  }

  add(rejections: readonly StoredRejection[]): Promise<void> {
    return this.log.append(rejections);
  }

  /** The latest `limit` rejections, oldest first; reads back from the end of the log only as far as it needs. */
  list(limit: number): Promise<StoredRejection[]> {
    return this.log.latest(limit);
  }
}
