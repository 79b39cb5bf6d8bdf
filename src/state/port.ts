/**
 * The one durable store behind cursors, customer aggregates, the outbox and the rejects log: plain key-value reads
 * and writes (through keyv), plus the few atomic operations several processes sharing one state need (through each
 * backend's own client, since keyv cannot express them): an all-or-nothing commit that appends to logs, a counter,
 * and leases. A SQLite file by default (created on first run); a redis:// or postgres:// URL selects those backends.
 */
export interface CommitAppend {
  readonly log: string;
  readonly items: readonly unknown[];
}

export interface CommitUnit {
  /** Each: the log's next sequence number is allocated atomically, the batch stored, the tail moved. */
  readonly appends?: readonly CommitAppend[];
  /** Written after `deletes`, so a key both deleted and written ends up written; the last entry of a key wins. */
  readonly entries?: ReadonlyArray<readonly [string, unknown]>;
  readonly deletes?: readonly string[];
}

export interface StateStore {
  get<T>(key: string): Promise<T | undefined>;
  getMany<T>(keys: readonly string[]): Promise<Array<T | undefined>>;
  set(key: string, value: unknown): Promise<void>;
  setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
  /** All or nothing; serializable against every other commit on the same store from any process. */
  commit(unit: CommitUnit): Promise<void>;
  /** Atomic add; returns the new value. The counter reads back through `get` as a number. */
  increment(key: string, by?: number): Promise<number>;
  /** True when the lease was free, expired, or already held by `holder` (then its expiry is renewed). */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Frees it only if `holder` holds it. */
  releaseLease(name: string, holder: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Prefixes every key (and lease) of this store: many stores share one server without seeing each other. */
  readonly namespace?: string;
}

/** Several units as one: what a step that appends, schedules and moves its cursor hands to a single `commit`. */
export function mergeUnits(...units: ReadonlyArray<CommitUnit | null | undefined>): CommitUnit {
  const present = units.filter((unit): unit is CommitUnit => unit != null);
  return {
    appends: present.flatMap((unit) => unit.appends ?? []),
    entries: present.flatMap((unit) => unit.entries ?? []),
    deletes: present.flatMap((unit) => unit.deletes ?? []),
  };
}
