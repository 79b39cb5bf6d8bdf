import { medianSorted, quantileSorted } from 'simple-statistics';
import type { TopCounts } from './types';

/**
 * Adds `by` to `key` in a bounded count table (the space-saving algorithm of Metwally et al., 2005): a key not in a
 * full table replaces the smallest count and inherits it, so every key whose true count is above total / capacity
 * stays in the table, and memory is fixed whatever the catalogue size. Pure: returns a new table, highest first.
 */
export function bump(table: TopCounts, key: string, by: number, capacity: number): TopCounts {
  const next = table.slice();
  bumpInPlace(next, key, by, capacity);
  return next;
}

/**
 * `bump` on a table the caller owns (a working copy made once for many updates): the same result without copying
 * the table on every count, which learning an order does up to `historyProducts` times per product.
 */
export function bumpInPlace(table: Array<readonly [string, number]>, key: string, by: number, capacity: number): void {
  let at = -1;
  for (let i = 0; i < table.length; i++) {
    if (table[i][0] === key) {
      at = i;
      break;
    }
  }
  // A counted key keeps the string it was first counted with: the caller's copy of an id is often a fresh one (an
  // order's parse), and a table that swapped in each new copy kept thousands of equal strings alive.
  if (at >= 0) table[at] = [table[at][0], table[at][1] + by];
  else if (table.length < capacity) {
    table.push([key, by]);
    at = table.length - 1;
  } else {
    // Highest first, so the last entry holds the smallest count (ties: the last in key order).
    at = table.length - 1;
    table[at] = [key, table[at][1] + by];
  }
  // Only the changed entry can be out of place, and only too low: move it up (one insertion step, no full sort).
  while (at > 0 && ranksBefore(table[at][0], table[at][1], table[at - 1][0], table[at - 1][1])) {
    const swap = table[at - 1];
    table[at - 1] = table[at];
    table[at] = swap;
    at -= 1;
  }
}

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
