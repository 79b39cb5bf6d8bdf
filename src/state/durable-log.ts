import type { StateStore } from './store';

/**
 * An append-only log of batches on any key-value store: `<name>:tail` is written only by the producer and
 * `<name>:head` only by the consumer, so the two never overwrite each other's progress. A batch is written before
 * the tail moves past it, so a crash leaves at worst an unreferenced batch that the next append overwrites.
 */
export interface LogBatch<T> {
  readonly seq: number;
  readonly items: readonly T[];
}

export class DurableLog<T> {
  private head = 0;
  private tail = 0;
  private loaded = false;
  private appending: Promise<void> = Promise.resolve();
  /**
   * Batches read in one round trip but beyond what the last `peek` could return: the next peek starts with them
   * instead of reading (and decoding) them again. A stored batch never changes, so this copy cannot go stale.
   */
  private readAhead = new Map<number, readonly T[]>();

  constructor(private readonly store: StateStore, private readonly name: string) {}

  private async load(): Promise<void> {
    if (this.loaded) return;
    const [head, tail] = await this.store.getMany<number>([`${this.name}:head`, `${this.name}:tail`]);
    this.head = head ?? 0;
    this.tail = tail ?? 0;
    this.loaded = true;
  }

  /** Durably appends one batch; resolves once it is stored. */
  async append(items: readonly T[]): Promise<void> {
    if (items.length === 0) return;
    // Appends from concurrent callers (webhook rejections beside a sync) queue up: two must never share a slot.
    const turn = this.appending.then(async () => {
      await this.load();
      await this.store.set(`${this.name}:batch:${this.tail}`, items);
      this.tail += 1;
      await this.store.set(`${this.name}:tail`, this.tail);
    });
    this.appending = turn.catch(() => undefined);
    return turn;
  }

  /** Batches not yet acknowledged, oldest first, until `maxItems` items are gathered. */
  async peek(maxItems: number, fromSeq?: number): Promise<Array<LogBatch<T>>> {
    await this.load();
    const start = Math.max(this.head, fromSeq ?? this.head);
    const batches: Array<LogBatch<T>> = [];
    let gathered = 0;
    for (let seq = start; seq < this.tail && gathered < maxItems; seq += 1) {
      if (!this.readAhead.has(seq)) await this.readFrom(seq);
      const items = this.readAhead.get(seq) ?? [];
      this.readAhead.delete(seq);
      batches.push({ seq, items });
      gathered += items.length;
    }
    return batches;
  }

  private async readFrom(seq: number): Promise<void> {
    const seqs = range(seq, Math.min(seq + READ_AHEAD, this.tail)).filter((s) => s === seq || !this.readAhead.has(s));
    const found = await this.store.getMany<T[]>(seqs.map((s) => `${this.name}:batch:${s}`));
    seqs.forEach((s, i) => this.readAhead.set(s, found[i] ?? []));
  }

  /** Marks every batch up to and including `seq` as done and frees its storage. */
  async ack(seq: number): Promise<void> {
    await this.load();
    if (seq < this.head) return;
    const done = range(this.head, seq + 1).map((s) => `${this.name}:batch:${s}`);
    this.head = seq + 1;
    for (const cached of this.readAhead.keys()) if (cached <= seq) this.readAhead.delete(cached);
    await this.store.set(`${this.name}:head`, this.head);
    await this.store.delete(done);
  }

  async depth(): Promise<{ batches: number }> {
    await this.load();
    return { batches: this.tail - this.head };
  }

  /** Re-reads head and tail: another process (the CLI) may have appended. */
  async refresh(): Promise<void> {
    this.loaded = false;
    this.readAhead.clear();
    await this.load();
  }
}

/** Batches fetched per round trip. */
const READ_AHEAD = 16;

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
