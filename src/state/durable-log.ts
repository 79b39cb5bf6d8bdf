import { logBatchKey, logHeadKey, logTailKey } from './keys';
import type { CommitAppend, StateStore } from './port';

/**
 * An append-only log of batches on any state store. Producers append through `commit` (the store allocates the
 * next slot and moves `<name>:tail` atomically, so two processes appending at once never share a slot and a batch
 * is never seen before it is complete); `<name>:head` is moved only by the one consumer (the caller holds the drain
 * lease). Nothing about the tail is cached: every peek re-reads it, so batches appended by another process are seen.
 */
export interface LogBatch<T> {
  readonly seq: number;
  readonly items: readonly T[];
}

export class DurableLog<T> {
  /**
   * Batches read in one round trip but beyond what the last `peek` could return: the next peek starts with them
   * instead of reading (and decoding) them again. A stored batch never changes and a slot is never reused (the tail
   * only grows), so this copy cannot go stale.
   */
  private readAhead = new Map<number, readonly T[]>();

  constructor(private readonly store: StateStore, private readonly name: string) {}

  /** The append of one batch, for a caller that commits it together with other state. */
  appendsFor(items: readonly T[]): CommitAppend {
    return { log: this.name, items };
  }

  /** Durably appends one batch; resolves once it is stored. */
  async append(items: readonly T[]): Promise<void> {
    if (items.length === 0) return;
    await this.store.commit({ appends: [this.appendsFor(items)] });
  }

  private async bounds(): Promise<{ head: number; tail: number }> {
    const [head, tail] = await this.store.getMany<number>([logHeadKey(this.name), logTailKey(this.name)]);
    return { head: head ?? 0, tail: tail ?? 0 };
  }

  /** Batches not yet acknowledged, oldest first (or from `fromSeq` on), until `maxItems` items are gathered. */
  async peek(maxItems: number, fromSeq?: number): Promise<Array<LogBatch<T>>> {
    const { head, tail } = await this.bounds();
    const start = Math.max(head, fromSeq ?? head);
    const batches: Array<LogBatch<T>> = [];
    let gathered = 0;
    for (let seq = start; seq < tail && gathered < maxItems; seq += 1) {
      if (!this.readAhead.has(seq)) await this.readFrom(seq, tail);
      const items = this.readAhead.get(seq) ?? [];
      this.readAhead.delete(seq);
      batches.push({ seq, items });
      gathered += items.length;
    }
    return batches;
  }

  private async readFrom(seq: number, tail: number): Promise<void> {
    const seqs = range(seq, Math.min(seq + READ_AHEAD, tail)).filter((s) => s === seq || !this.readAhead.has(s));
    const found = await this.store.getMany<T[]>(seqs.map((s) => logBatchKey(this.name, s)));
    seqs.forEach((s, i) => this.readAhead.set(s, found[i] ?? []));
  }

  /** Marks every batch up to and including `seq` as done and frees its storage, in one commit. */
  async ack(seq: number): Promise<void> {
    const { head } = await this.bounds();
    for (const cached of this.readAhead.keys()) if (cached <= seq) this.readAhead.delete(cached);
    if (seq < head) return;
    await this.store.commit({
      entries: [[logHeadKey(this.name), seq + 1]],
      deletes: range(head, seq + 1).map((s) => logBatchKey(this.name, s)),
    });
  }

  /** The last `limit` items still in the log, oldest first, reading back from the tail (not the whole log). */
  async latest(limit: number): Promise<T[]> {
    const { head, tail } = await this.bounds();
    const items: T[] = [];
    for (let end = tail; end > head && items.length < limit; end -= READ_AHEAD) {
      const seqs = range(Math.max(head, end - READ_AHEAD), end);
      const found = await this.store.getMany<T[]>(seqs.map((s) => logBatchKey(this.name, s)));
      items.unshift(...found.flatMap((batch) => batch ?? []));
    }
    return items.slice(-limit);
  }

  /**
   * The writes that drop every batch now in the log (head moved to the tail), for a caller that commits them with
   * the state that makes the batches redundant. Only for a log whose appender and consumer are one writer.
   */
  async releaseAllFor(): Promise<{ entries: Array<readonly [string, unknown]>; deletes: string[] }> {
    const { head, tail } = await this.bounds();
    this.readAhead.clear();
    if (tail <= head) return { entries: [], deletes: [] };
    return { entries: [[logHeadKey(this.name), tail]], deletes: range(head, tail).map((s) => logBatchKey(this.name, s)) };
  }

  async depth(): Promise<{ batches: number }> {
    const { head, tail } = await this.bounds();
    return { batches: Math.max(0, tail - head) };
  }

  /** Drops what was read ahead; head and tail are re-read on every call anyway. */
  async refresh(): Promise<void> {
    this.readAhead.clear();
  }
}

/** Batches fetched per round trip. */
const READ_AHEAD = 16;

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
