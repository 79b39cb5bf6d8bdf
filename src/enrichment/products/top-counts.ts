import type { TopCounts } from './types';

/**
 * Adds `by` to `key` in a bounded count table (the space-saving algorithm of Metwally et al., 2005): a key not in a
 * full table replaces the smallest count and inherits it, so every key whose true count is above total / capacity
 * stays in the table, and memory is fixed whatever the catalogue size. Pure: returns a new table, highest first.
 */
export function bump(table: TopCounts, key: string, by: number, capacity: number): TopCounts {
  const next = table.map(([k, c]) => [k, c] as [string, number]);
  const at = next.findIndex(([k]) => k === key);
  if (at >= 0) next[at][1] += by;
  else if (next.length < capacity) next.push([key, by]);
  else {
    let min = 0;
    for (let i = 1; i < next.length; i++) if (next[i][1] <= next[min][1]) min = i;
    next[min] = [key, next[min][1] + by];
  }
  return next.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The value at quantile q (0-1) of sorted numbers, interpolated. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export const median = (values: readonly number[]): number => quantile([...values].sort((a, b) => a - b), 0.5);

/** Appends to a bounded list of the most recent values. */
export function keepRecent(values: readonly number[], value: number, keep: number): number[] {
  const next = [...values, value];
  return next.length > keep ? next.slice(next.length - keep) : next;
}
