import type { StateStore } from './store';

/**
 * Customers bucketed by the UTC day on which time alone may change their segment (their `nextReviewAt`).
 * The scheduled re-evaluation reads only the buckets that have come due instead of every customer. Entries are not
 * removed when a customer's review date moves: the reader checks each customer's current `nextReviewAt`, so a stale
 * entry costs one read and nothing else.
 */
const bucketKey = (day: string) => `review:${day}`;
const CURSOR_KEY = 'review:cursor';
const DAY_MS = 86_400_000;

export function reviewDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export class ReviewIndex {
  constructor(private readonly store: StateStore) {}

  /** Adds customers to the buckets of their review days. */
  async schedule(entries: ReadonlyArray<{ key: string; at: Date }>): Promise<void> {
    const byDay = new Map<string, string[]>();
    for (const { key, at } of entries) {
      const day = reviewDay(at);
      byDay.set(day, [...(byDay.get(day) ?? []), key]);
    }
    if (byDay.size === 0) return;
    const days = [...byDay.keys()];
    const existing = await this.store.getMany<string[]>(days.map(bucketKey));
    await this.store.setMany(
      days.map((day, i) => [bucketKey(day), [...new Set([...(existing[i] ?? []), ...(byDay.get(day) ?? [])])]] as const),
    );
  }

  /**
   * The customer keys in every bucket from the last fully processed day up to `now`'s day. `done(now)` must be
   * called after the caller has durably handled them.
   */
  async due(now: Date): Promise<string[]> {
    const cursor = (await this.store.get<string>(CURSOR_KEY)) ?? reviewDay(now);
    const days: string[] = [];
    for (let t = Date.parse(`${cursor}T00:00:00Z`); t <= now.getTime(); t += DAY_MS) days.push(reviewDay(new Date(t)));
    const buckets = await this.store.getMany<string[]>(days.map(bucketKey));
    return [...new Set(buckets.flatMap((bucket) => bucket ?? []))];
  }

  /** Frees the buckets of days that are entirely in the past; today's stays until tomorrow. */
  async done(now: Date): Promise<void> {
    const cursor = (await this.store.get<string>(CURSOR_KEY)) ?? reviewDay(now);
    const today = reviewDay(now);
    const past: string[] = [];
    for (let t = Date.parse(`${cursor}T00:00:00Z`); reviewDay(new Date(t)) < today; t += DAY_MS) past.push(reviewDay(new Date(t)));
    await this.store.set(CURSOR_KEY, today);
    await this.store.delete(past.map(bucketKey));
  }
}
