import { medianSorted, quantileSorted } from 'simple-statistics';
import type { TopCounts } from './types';

/** A table with no entries (tables are values: one shared empty one). */
export const EMPTY_COUNTS: TopCounts = { keys: [], counts: [] };

/** A table the caller may change in place (`bumpInPlace`). */
export interface WorkingCounts {
  keys: string[];
  counts: number[];
}

/** A working copy of a table: its arrays copied, its key strings shared. */
export const copyCounts = (table: TopCounts): WorkingCounts => ({ keys: table.keys.slice(), counts: table.counts.slice() });

/**
 * Adds `by` to `key` in a bounded count table (the space-saving algorithm of Metwally et al., 2005): a key not in a
 * full table replaces the smallest count and inherits it, so every key whose true count is above total / capacity
 * stays in the table, and memory is fixed whatever the catalogue size. Pure: returns a new table, highest first.
 */
export function bump(table: TopCounts, key: string, by: number, capacity: number): TopCounts {
  const next = copyCounts(table);
  bumpInPlace(next, key, by, capacity);
  return next;
}

/**
 * `bump` on a table the caller owns (a working copy made once for many updates): the same result without copying
 * the table on every count, which learning an order does up to `historyProducts` times per product. Nothing is
 * allocated unless the table grows: a count is a number written in place.
 */
export function bumpInPlace(table: WorkingCounts, key: string, by: number, capacity: number): void {
  const { keys, counts } = table;
  let at = keys.indexOf(key);
  // A counted key keeps the string it was first counted with: the caller's copy of an id is often a fresh one (an
  // order's parse), and a table that swapped in each new copy kept thousands of equal strings alive.
  if (at >= 0) counts[at] += by;
  else if (keys.length < capacity) {
    keys.push(key);
    counts.push(by);
    at = keys.length - 1;
  } else {
    // Highest first, so the last entry holds the smallest count (ties: the last in key order).
    at = keys.length - 1;
    keys[at] = key;
    counts[at] += by;
  }
  // Only the changed entry can be out of place, and only too low: move it up (one insertion step, no full sort).
  while (at > 0 && ranksBefore(keys[at], counts[at], keys[at - 1], counts[at - 1])) {
    const key = keys[at - 1];
    const count = counts[at - 1];
    keys[at - 1] = keys[at];
    counts[at - 1] = counts[at];
    keys[at] = key;
    counts[at] = count;
    at -= 1;
  }
}

/**
 * A table as a stored row holds it: this shape (returned as it is), or the [key, count] pairs rows were written with
 * before (converted once, when the row is decoded; the next fold writes the row in this shape).
 */
export function countsFromRow(stored: TopCounts | ReadonlyArray<readonly [string, number]>): TopCounts {
  if (!isPairs(stored)) return stored;
  return { keys: stored.map((pair) => pair[0]), counts: stored.map((pair) => pair[1]) };
}

const isPairs = (stored: TopCounts | ReadonlyArray<readonly [string, number]>): stored is ReadonlyArray<readonly [string, number]> => Array.isArray(stored);

/**
 * The order of count tables and rankings: the higher count first, then the lower key (stable whatever the input's
 * order). The one rule: recommendations read a table kept in this order as a ranking (recommend.ts).
 */
export const ranksBefore = (a: string, x: number, b: string, y: number): boolean => x > y || (x === y && a < b);

/** The value at quantile q (0-1) of numbers sorted ascending (simple-statistics' definition). */
export const quantile = (sorted: readonly number[], q: number): number => (sorted.length === 0 ? Number.NaN : quantileSorted([...sorted], q));

export const median = (values: readonly number[]): number => (values.length === 0 ? Number.NaN : medianSorted([...values].sort((a, b) => a - b)));

/** Appends to a bounded list of the most recent values. */
export function keepRecent(values: readonly number[], value: number, keep: number): number[] {
  const next = [...values, value];
  return next.length > keep ? next.slice(next.length - keep) : next;
}
