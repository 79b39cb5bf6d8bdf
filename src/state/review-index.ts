import { INDEXES, logBatchKey, logTailKey } from './keys';
import type { CommitUnit, StateStore } from './port';

/**
 * Keys bucketed by the UTC day on which they come due (a customer's `nextReviewAt`, a parcel's next check).
 * The scheduled pass reads only the buckets that have come due instead of every customer. Entries are not removed
 * when a key's date moves: the reader checks each customer's current date, so a stale entry costs one read.
 *
 * Each day's bucket is a durable log (`<name>:<day>`): scheduling a page appends that page's keys as one batch
 * through `commit`, whose slot the store allocates atomically, so a page's cost does not grow with the store and two
 * writers never overwrite each other's pieces. Buckets written by earlier versions (one whole value `<name>:<day>`,
 * or pieces `<name>:<day>:<i>` counted by `<name>:<day>:n`) are still read and freed.
 *
 * The cursor rule: `due` reads from `<name>:cursor` up to today; `done` moves the cursor to today and frees the days
 * before it. `scheduleUnit` reads the cursor and, when a day it schedules is earlier (or no cursor exists yet),
 * moves the cursor back to that day in the same commit, so the entry is still read. That read and the write it
 * leads to are safe because `scheduleUnit` and `done` run under the same writer lease (the caller holds it); no
 * other step moves the cursor.
 */
const DAY_MS = 86_400_000;

export function reviewDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export class ReviewIndex {
  private readonly dayLog: (day: string) => string;
  /** Pieces and their count, as written before buckets became logs; still read and freed. */
  private readonly legacyPieceKey: (day: string, piece: number) => string;
  private readonly legacyCountKey: (day: string) => string;
  private readonly cursorKey: string;

  /** `name` keeps several indexes apart in one store (customers' reviews, shipments' re-checks). */
  constructor(private readonly store: StateStore, name: string = INDEXES.reviews) {
    this.dayLog = (day) => `${name}:${day}`;
    this.legacyPieceKey = (day, piece) => `${name}:${day}:${piece}`;
    this.legacyCountKey = (day) => `${name}:${day}:n`;
    this.cursorKey = `${name}:cursor`;
  }

  /** Adds keys to the buckets of their days, in one commit. */
  async schedule(entries: ReadonlyArray<{ key: string; at: Date }>): Promise<void> {
    await this.store.commit(await this.scheduleUnit(entries));
  }

  /** `schedule` as a unit, for a caller that commits it with the rest of its step (under the writer lease). */
  async scheduleUnit(entries: ReadonlyArray<{ key: string; at: Date }>): Promise<CommitUnit> {
    const byDay = new Map<string, Set<string>>();
    for (const { key, at } of entries) {
      const day = reviewDay(at);
      const keys = byDay.get(day);
      if (keys) keys.add(key);
      else byDay.set(day, new Set([key]));
    }
    if (byDay.size === 0) return {};
    const earliest = [...byDay.keys()].reduce((a, b) => (a < b ? a : b));
    const cursor = await this.store.get<string>(this.cursorKey);
    return {
      appends: [...byDay].map(([day, keys]) => ({ log: this.dayLog(day), items: [...keys] })),
      entries: cursor === undefined || earliest < cursor ? [[this.cursorKey, earliest]] : [],
    };
  }

  /**
   * The keys in every bucket from the cursor up to `now`'s day. `done(now)` must be called after the caller has
   * durably handled them.
   */
  async due(now: Date): Promise<string[]> {
    const cursor = (await this.store.get<string>(this.cursorKey)) ?? reviewDay(now);
    const keys = await this.bucketKeys(daysFrom(cursor, (day) => Date.parse(`${day}T00:00:00Z`) <= now.getTime()));
    const buckets = await this.store.getMany<string[]>(keys);
    return [...new Set(buckets.flatMap((bucket) => bucket ?? []))];
  }

  /** Frees the buckets of days that are entirely in the past; today's stays until tomorrow. */
  async done(now: Date): Promise<void> {
    await this.store.commit(await this.doneUnit(now));
  }

  async doneUnit(now: Date): Promise<CommitUnit> {
    const today = reviewDay(now);
    const cursor = (await this.store.get<string>(this.cursorKey)) ?? today;
    const past = daysFrom(cursor, (day) => day < today);
    const keys = await this.bucketKeys(past);
    return {
      entries: [[this.cursorKey, today]],
      deletes: [...keys, ...past.flatMap((day) => [this.legacyCountKey(day), logTailKey(this.dayLog(day))])],
    };
  }

  /** Every stored key holding part of these days' buckets: the legacy whole value and pieces, then the log's batches. */
  private async bucketKeys(days: readonly string[]): Promise<string[]> {
    const counts = await this.store.getMany<number>(days.flatMap((day) => [this.legacyCountKey(day), logTailKey(this.dayLog(day))]));
    return days.flatMap((day, i) => [
      this.dayLog(day),
      ...Array.from({ length: counts[2 * i] ?? 0 }, (_, piece) => this.legacyPieceKey(day, piece)),
      ...Array.from({ length: counts[2 * i + 1] ?? 0 }, (_, seq) => logBatchKey(this.dayLog(day), seq)),
    ]);
  }
}

/** Consecutive UTC days from `first` while `keep` holds. */
function daysFrom(first: string, keep: (day: string) => boolean): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); keep(reviewDay(new Date(t))); t += DAY_MS) days.push(reviewDay(new Date(t)));
  return days;
}
