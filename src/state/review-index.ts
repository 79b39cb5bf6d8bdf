import type { StateStore } from './store';

/**
 * Customers bucketed by the UTC day on which time alone may change their segment (their `nextReviewAt`).
 * The scheduled re-evaluation reads only the buckets that have come due instead of every customer. Entries are not
 * removed when a customer's review date moves: the reader checks each customer's current `nextReviewAt`, so a stale
 * entry costs one read and nothing else.
 */
const DAY_MS = 86_400_000;

export function reviewDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export class ReviewIndex {
  private readonly bucketKey: (day: string) => string;
  private readonly cursorKey: string;

  /** `name` keeps several indexes apart in one store (customers' reviews, shipments' re-checks). */
  constructor(private readonly store: StateStore, name = 'review') {
    this.bucketKey = (day) => `${name}:${day}`;
    this.cursorKey = `${name}:cursor`;
  }

  /** Adds customers to the buckets of their review days. */
  async schedule(entries: ReadonlyArray<{ key: string; at: Date }>): Promise<void> {
    const byDay = new Map<string, string[]>();
    for (const { key, at } of entries) {
      const day = reviewDay(at);
      byDay.set(day, [...(byDay.get(day) ?? []), key]);
    }
    if (byDay.size === 0) return;
    const days = [...byDay.keys()];
    // `due` reads from the cursor on: an entry before it (or before the first `due`) would never be read.
    const earliest = days.reduce((a, b) => (a < b ? a : b));
    const cursor = await this.store.get<string>(this.cursorKey);
    if (cursor === undefined || earliest < cursor) await this.store.set(this.cursorKey, earliest);
    const existing = await this.store.getMany<string[]>(days.map(this.bucketKey));
    await this.store.setMany(
      days.map((day, i) => [this.bucketKey(day), [...new Set([...(existing[i] ?? []), ...(byDay.get(day) ?? [])])]] as const),
    );
  }

  /**
   * The customer keys in every bucket from the last fully processed day up to `now`'s day. `done(now)` must be
   * called after the caller has durably handled them.
   */
  async due(now: Date): Promise<string[]> {
    const cursor = (await this.store.get<string>(this.cursorKey)) ?? reviewDay(now);
    const days: string[] = [];
    for (let t = Date.parse(`${cursor}T00:00:00Z`); t <= now.getTime(); t += DAY_MS) days.push(reviewDay(new Date(t)));
    const buckets = await this.store.getMany<string[]>(days.map(this.bucketKey));
    return [...new Set(buckets.flatMap((bucket) => bucket ?? []))];
  }

  /** Frees the buckets of days that are entirely in the past; today's stays until tomorrow. */
  async done(now: Date): Promise<void> {
    const cursor = (await this.store.get<string>(this.cursorKey)) ?? reviewDay(now);
    const today = reviewDay(now);
    const past: string[] = [];
    for (let t = Date.parse(`${cursor}T00:00:00Z`); reviewDay(new Date(t)) < today; t += DAY_MS) past.push(reviewDay(new Date(t)));
    await this.store.set(this.cursorKey, today);
    await this.store.delete(past.map(this.bucketKey));
  }
}
