import { encodeKeyv, decodeKeyv } from './keyv-codec';
import { logBatchKey, logTailKey } from './keys';
import type { CommitUnit } from './port';

/**
 * The backend-independent part of a commit, pure: every value encoded before the first write (a value that cannot
 * be encoded fails the commit before it touches the store), then, given the logs' current tails as the backend
 * read them inside its transaction, the exact rows to write. Values are in keyv's stored format
 * (`{"value":…}`), so the plain get/getMany path and earlier versions read them back.
 */
export interface PreparedUnit {
  /** Distinct logs appended to, sorted: backends lock their tails in this order, so two commits cannot deadlock. */
  readonly logs: readonly string[];
  readonly batches: ReadonlyArray<{ readonly log: string; readonly encoded: string }>;
  /** Deduplicated, the last value of a key winning (one multi-row upsert may not touch a row twice). */
  readonly entries: ReadonlyArray<readonly [string, string]>;
  readonly deletes: readonly string[];
}

export const encodeValue = (value: unknown): string => encodeKeyv({ value });

/** A stored value as keyv's get reads it: absent when missing or past an expiry (keyv's `ttl`, which we never set). */
export function decodeValue<T>(stored: string): T | undefined {
  const data = decodeKeyv<{ value?: T; expires?: unknown }>(stored);
  if (typeof data.expires === 'number' && Date.now() > data.expires) return undefined;
  return data.value ?? undefined;
}

export function prepareUnit(unit: CommitUnit): PreparedUnit {
  const batches = (unit.appends ?? []).filter((append) => append.items.length > 0).map((append) => ({ log: append.log, encoded: encodeValue(append.items) }));
  const entries = new Map<string, string>();
  for (const [key, value] of unit.entries ?? []) {
    entries.delete(key); // re-inserted last: Map order then follows the last write
    entries.set(key, encodeValue(value));
  }
  return {
    logs: [...new Set(batches.map((batch) => batch.log))].sort(),
    batches,
    entries: [...entries],
    deletes: [...new Set(unit.deletes ?? [])],
  };
}

export const isEmptyUnit = (unit: PreparedUnit): boolean => unit.batches.length === 0 && unit.entries.length === 0 && unit.deletes.length === 0;

/** A log's stored tail (`undefined`: never appended). Anything but a non-negative integer fails the commit. */
export function parseTail(log: string, stored: string | null | undefined): number {
  if (stored === null || stored === undefined) return 0;
  let tail: unknown;
  try {
    tail = decodeKeyv<{ value?: unknown }>(stored).value;
  } catch {
    tail = stored;
  }
  if (typeof tail !== 'number' || !Number.isSafeInteger(tail) || tail < 0) {
    throw new Error(`state log "${log}" has a corrupt tail (${stored.slice(0, 40)}); refusing to append`);
  }
  return tail;
}

/** The rows a commit writes once the tails are known: entries, then each batch in its slot, then the moved tails. */
export function rowsFor(unit: PreparedUnit, tails: ReadonlyMap<string, number>): Array<readonly [string, string]> {
  const next = new Map(tails);
  const rows = new Map<string, string>(unit.entries);
  for (const { log, encoded } of unit.batches) {
    const seq = next.get(log) ?? 0;
    rows.set(logBatchKey(log, seq), encoded);
    next.set(log, seq + 1);
  }
  for (const log of unit.logs) rows.set(logTailKey(log), encodeValue(next.get(log) ?? 0));
  return [...rows];
}

/** Validates `by` for `increment`: counters are integers, so every backend adds exactly. */
export function assertIncrement(key: string, by: number): number {
  if (!Number.isSafeInteger(by)) throw new Error(`increment of "${key}" by ${by}: not an integer`);
  return by;
}

/** A stored counter's value (absent: 0). */
export function parseCounter(key: string, stored: string | null | undefined): number {
  if (stored === null || stored === undefined) return 0;
  const value = decodeKeyv<{ value?: unknown }>(stored).value;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`state counter "${key}" holds ${stored.slice(0, 40)}, not an integer`);
  return value;
}
