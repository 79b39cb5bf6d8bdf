import type { StateStore } from './store';

/**
 * Customers bucketed by the UTC day on which time alone may change their segment (their `nextReviewAt`).
 * The scheduled re-evaluation reads only the buckets that have come due instead of every customer. Entries are not
 * removed when a customer's review date moves: the reader checks each customer's current `nextReviewAt`, so a stale
 * entry costs one read and nothing else.
 *
 * A day's bucket is stored as append-only pieces (`<name>:<day>:<i>`, counted by `<name>:<day>:n`): scheduling a
 * page writes only that page's keys, so its cost does not grow with the store (rewriting whole buckets made a
 * backfill quadratic in customers and held every bucket in memory at once).
 */
const DAY_MS = 86_400_000;

export function reviewDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export class ReviewIndex {
  private readonly pieceKey: (day: string, piece: number) => string;
  private readonly countKey: (day: string) => string;
  /** The whole-bucket value written before buckets were split into pieces; still read and freed. */
  private readonly legacyKey: (day: string) => string;
  private readonly cursorKey: string;

  /** `name` keeps several indexes apart in one store (customers' reviews, shipments' re-checks). */
  constructor(private readonly store: StateStore, name = 'review') {
    this.pieceKey = (day, piece) => `${name}:${day}:${piece}`;
    this.countKey = (day) => `${name}:${day}:n`;
    this.legacyKey = (day) => `${name}:${day}`;
    this.cursorKey = `${name}:cursor`;
  }

  /** Adds customers to the buckets of their review days. */
  async schedule(entries: ReadonlyArray<{ key: string; at: Date }>): Promise<void> {
    const byDay = new Map<string, Set<string>>();
    for (const { key, at } of entries) {
      const day = reviewDay(at);
      const keys = byDay.get(day);
      if (keys) keys.add(key);
      else byDay.set(day, new Set([key]));
    }
    if (byDay.size === 0) return;
    const days = [...byDay.keys()];
    // `due` reads from the cursor on: an entry before it (or before the first `due`) would never be read.
    const earliest = days.reduce((a, b) => (a < b ? a : b));
    const cursor = await this.store.get<string>(this.cursorKey);
    if (cursor === undefined || earliest < cursor) await this.store.set(this.cursorKey, earliest);
    const counts = await this.store.getMany<number>(days.map(this.countKey));
    // Piece before count: a crash in between leaves a piece nobody reads yet, which the next schedule overwrites.
    await this.store.setMany(days.map((day, i) => [this.pieceKey(day, counts[i] ?? 0), [...(byDay.get(day) ?? [])]] as const));
    await this.store.setMany(days.map((day, i) => [this.countKey(day), (counts[i] ?? 0) + 1] as const));
  }

  /**
   * The customer keys in every bucket from the last fully processed day up to `now`'s day. `done(now)` must be
   * called after the caller has durably handled them.
   */
  async due(now: Date): Promise<string[]> {
    const cursor = (await this.store.get<string>(this.cursorKey)) ?? reviewDay(now);
    const days: string[] = [];
    for (let t = Date.parse(`${cursor}T00:00:00Z`); t <= now.getTime(); t += DAY_MS) days.push(reviewDay(new Date(t)));
    const keys = await this.bucketKeys(days);
    const buckets = await this.store.getMany<string[]>(keys);
    return [...new Set(buckets.flatMap((bucket) => bucket ?? []))];
  }

  /** Frees the buckets of days that are entirely in the past; today's stays until tomorrow. */
  async done(now: Date): Promise<void> {
    const cursor = (await this.store.get<string>(this.cursorKey)) ?? reviewDay(now);
    const today = reviewDay(now);
    const past: string[] = [];
    for (let t = Date.parse(`${cursor}T00:00:00Z`); reviewDay(new Date(t)) < today; t += DAY_MS) past.push(reviewDay(new Date(t)));
    const keys = await this.bucketKeys(past);
    await this.store.set(this.cursorKey, today);
    await this.store.delete([...keys, ...past.map(this.countKey)]);
  }

  /** Every stored key holding part of these days' buckets. */
  private async bucketKeys(days: readonly string[]): Promise<string[]> {
    const counts = await this.store.getMany<number>(days.map(this.countKey));
    return days.flatMap((day, i) => [this.legacyKey(day), ...Array.from({ length: counts[i] ?? 0 }, (_, piece) => this.pieceKey(day, piece))]);
  }
}
