import { DurableLog } from './durable-log';
import { LOGS } from './keys';
import type { CommitAppend, StateStore } from './port';

/** A record we refused (or Klaviyo refused), with enough to find it at its source. */
export interface Rejection {
  readonly at: string;
  /** Where it came from: `shopify`, `easypost`, `webhook:easypost`, `klaviyo`... */
  readonly source: string;
  readonly recordId: string;
  readonly reason: string;
}

/** The rejects log that `shipsignal rejects` lists. Append-only; never blocks the pipeline. */
export class RejectsLog {
  private readonly log: DurableLog<Rejection>;

  constructor(store: StateStore) {
    this.log = new DurableLog<Rejection>(store, LOGS.rejects);
  }

  /** The append of these rejections, for a caller that commits them with other state. */
  appendsFor(rejections: readonly Rejection[]): CommitAppend {
    return this.log.appendsFor(rejections);
  }

  add(rejections: readonly Rejection[]): Promise<void> {
    return this.log.append(rejections);
  }

  async list(limit: number): Promise<Rejection[]> {
    await this.log.refresh();
    const batches = await this.log.peek(Number.MAX_SAFE_INTEGER);
    return batches.flatMap((batch) => batch.items).slice(-limit);
  }
}
